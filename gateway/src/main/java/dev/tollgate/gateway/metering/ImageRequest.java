package dev.tollgate.gateway.metering;

import io.vertx.core.json.JsonObject;

/**
 * What an images API body ({@code POST /v1/images/generations}, already validated by the parse
 * filter) asks for, as its price needs it (ADR 0049): how many images, of which size and quality.
 *
 * @param n images requested ({@code n}, default 1)
 * @param size {@code size} as requested; null when absent or {@code auto} (the provider picks:
 *     every size's price may apply)
 * @param quality {@code quality} as requested; null when absent or {@code auto}
 */
public record ImageRequest(long n, String size, String quality) {

  public static ImageRequest of(JsonObject body) {
    return new ImageRequest(body.getValue("n") instanceof Number n ? n.longValue() : 1, known(body.getValue("size")),
        known(body.getValue("quality")));
  }

  /** A size or quality the price can be matched on: null when absent or left to the provider. */
  public static String known(Object value) {
    return value instanceof String s && !s.isEmpty() && !"auto".equals(s) ? s : null;
  }
}
