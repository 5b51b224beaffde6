package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * OpenAI images API shapes ({@code POST /v1/images/generations}) as the provider sends them, for
 * the OpenAI-compatible and Azure fakes: a DALL-E answer ({@code created}, {@code data[]} with a
 * {@code url} and {@code revised_prompt}, no usage) and a GPT image model answer ({@code b64_json}
 * images, the {@code size} and {@code quality} generated, and {@code usage} with {@code
 * input_tokens_details}).
 */
public final class Images {

  public static final String PATH = "/v1/images/generations";
  public static final long CREATED = 1713833628L;
  /** A 1x1 PNG, base64. */
  public static final String B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

  private Images() {}

  /** {@code n} DALL-E images as URLs. */
  public static JsonObject dallE(int n) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < n; i++) {
      data.add(new JsonObject().put("url", "https://images.example/img-" + i + ".png")
          .put("revised_prompt", "A cute baby sea otter floating on its back"));
    }
    return new JsonObject().put("created", CREATED).put("data", data);
  }

  /** {@code n} GPT image model images with the usage the provider reports for all of them. */
  public static JsonObject gptImage(int n, String size, String quality, long textTokens, long imageTokens, long outputTokens) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < n; i++) {
      data.add(new JsonObject().put("b64_json", B64));
    }
    JsonObject usage = new JsonObject()
        .put("total_tokens", textTokens + imageTokens + outputTokens)
        .put("input_tokens", textTokens + imageTokens)
        .put("output_tokens", outputTokens)
        .put("input_tokens_details", new JsonObject().put("text_tokens", textTokens).put("image_tokens", imageTokens));
    return new JsonObject().put("created", CREATED).put("background", "opaque").put("data", data)
        .put("output_format", "png").put("quality", quality).put("size", size).put("usage", usage);
  }
}
