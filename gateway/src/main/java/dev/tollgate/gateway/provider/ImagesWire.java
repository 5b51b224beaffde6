package dev.tollgate.gateway.provider;

import dev.tollgate.gateway.metering.ImageRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Reads an OpenAI images API answer ({@code created}, {@code data[]} with {@code b64_json} or
 * {@code url}; for the GPT image models also {@code size}, {@code quality} and {@code usage} with
 * {@code input_tokens_details}) into what settle bills: the images returned, their size and quality
 * (as the provider reports them, else as requested) and the tokens reported (ADR 0049).
 */
public final class ImagesWire {

  private ImagesWire() {}

  /**
   * The answer for the client (Azure's content-filter annotations removed) and its usage; tokens
   * are the provider's when it reported {@code usage} with {@code output_tokens}, else none (the
   * router estimates them).
   */
  public static ChatResult result(JsonObject upstream, ImageRequest requested) {
    JsonObject body = upstream.copy();
    body.remove("prompt_filter_results");
    JsonArray data = body.getValue("data") instanceof JsonArray a ? a : new JsonArray();
    for (Object item : data) {
      if (item instanceof JsonObject image) {
        image.remove("content_filter_results");
        image.remove("prompt_filter_results");
      }
    }
    String size = orElse(ImageRequest.known(body.getValue("size")), requested.size());
    String quality = orElse(ImageRequest.known(body.getValue("quality")), requested.quality());
    // a usage without output tokens (an empty object, a total alone) has not reported the images'
    // output: estimated, at the target's ceiling per image, never taken for zero
    JsonObject u = body.getValue("usage") instanceof JsonObject o && o.getValue("output_tokens") instanceof Number ? o : null;
    if (u == null) {
      return new ChatResult(body, new Usage(0, 0, false).withImages(new Usage.Images(data.size(), 0, size, quality)));
    }
    JsonObject details = u.getValue("input_tokens_details") instanceof JsonObject d ? d : new JsonObject();
    Usage usage = new Usage(count(u, "input_tokens"), count(u, "output_tokens"), true)
        .withImages(new Usage.Images(data.size(), count(details, "image_tokens"), size, quality));
    return new ChatResult(body, usage);
  }

  private static long count(JsonObject o, String field) {
    return o.getValue(field) instanceof Number n ? Math.max(0, n.longValue()) : 0;
  }

  private static String orElse(String reported, String requested) {
    return reported != null ? reported : requested;
  }
}
