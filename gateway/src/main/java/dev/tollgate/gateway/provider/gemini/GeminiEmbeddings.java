package dev.tollgate.gateway.provider.gemini;

import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * OpenAI {@code /v1/embeddings} to Gemini's {@code batchEmbedContents} and back. Gemini reports no
 * token usage for embeddings, so the answer's usage is NONE and the gateway bills the input tokens it
 * counted (see docs/providers.md).
 */
final class GeminiEmbeddings {

  private GeminiEmbeddings() {}

  /**
   * The {@code batchEmbedContents} body: one request per input string, each naming {@code
   * models/<model>}; {@code dimensions} becomes {@code outputDimensionality}.
   *
   * @throws IllegalArgumentException for token-id input, which Gemini cannot embed
   */
  static JsonObject request(String bareModel, JsonObject openAiBody) {
    Object input = openAiBody.getValue("input");
    JsonArray texts = input instanceof JsonArray a ? a : new JsonArray().add(input);
    Object dimensions = openAiBody.getValue("dimensions");
    if (dimensions != null && !(dimensions instanceof Integer || dimensions instanceof Long)) {
      throw new IllegalArgumentException("'dimensions' must be an integer.");
    }
    String format = openAiBody.getValue("encoding_format") instanceof String f ? f : "float";
    if (!format.equals("float") && !format.equals("base64")) {
      throw new IllegalArgumentException("'encoding_format' must be 'float' or 'base64'.");
    }
    JsonArray requests = new JsonArray();
    for (Object t : texts) {
      if (!(t instanceof String text)) {
        throw new IllegalArgumentException(
            "This model takes 'input' as a string or an array of strings; token-id arrays are not supported.");
      }
      if (text.isEmpty()) {
        throw new IllegalArgumentException("'input' must not contain empty strings.");
      }
      JsonObject r = new JsonObject()
          .put("model", "models/" + bareModel)
          .put("content", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", text))));
      if (dimensions != null) {
        r.put("outputDimensionality", ((Number) dimensions).longValue());
      }
      requests.add(r);
    }
    return new JsonObject().put("requests", requests);
  }

  /**
   * OpenAI's list from {@code {"embeddings":[{"values":[...]}]}}, in input order, each embedding as
   * floats or, for {@code encoding_format: base64}, as OpenAI encodes them (little-endian float32).
   * The usage object is left for the gateway to fill with the tokens it counted.
   */
  static ChatResult response(JsonObject upstreamBody, String requestedModel, boolean base64) {
    JsonArray embeddings = upstreamBody.getJsonArray("embeddings");
    if (embeddings == null) {
      throw new IllegalArgumentException("no embeddings in the answer");
    }
    JsonArray data = new JsonArray();
    for (int i = 0; i < embeddings.size(); i++) {
      JsonArray values = embeddings.getJsonObject(i).getJsonArray("values");
      if (values == null) {
        throw new IllegalArgumentException("an embedding without values");
      }
      data.add(new JsonObject().put("object", "embedding").put("index", i)
          .put("embedding", base64 ? base64(values) : values));
    }
    JsonObject body = new JsonObject().put("object", "list").put("data", data).put("model", requestedModel);
    return new ChatResult(body, Usage.NONE);
  }

  private static String base64(JsonArray values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < values.size(); i++) {
      bytes.putFloat(((Number) values.getValue(i)).floatValue());
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}
