package dev.tollgate.gateway.provider.gemini;

import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * OpenAI {@code /v1/embeddings} to Google's embedding APIs and back: the Gemini API's {@code
 * batchEmbedContents} (which reports no token usage: the gateway bills the input it counted) and
 * Vertex AI's {@code predict} (which reports {@code statistics.token_count}). See docs/providers.md.
 */
public final class GeminiEmbeddings {

  private GeminiEmbeddings() {}

  /**
   * The input strings of an OpenAI embeddings body, in order.
   *
   * @throws IllegalArgumentException for token-id input or an empty string, which Google cannot
   *     embed, and for a {@code dimensions} or {@code encoding_format} it cannot honour
   */
  public static List<String> texts(JsonObject openAiBody) {
    Object dimensions = openAiBody.getValue("dimensions");
    if (dimensions != null && !(dimensions instanceof Integer || dimensions instanceof Long)) {
      throw new IllegalArgumentException("'dimensions' must be an integer.");
    }
    String format = openAiBody.getValue("encoding_format") instanceof String f ? f : "float";
    if (!format.equals("float") && !format.equals("base64")) {
      throw new IllegalArgumentException("'encoding_format' must be 'float' or 'base64'.");
    }
    Object input = openAiBody.getValue("input");
    JsonArray items = input instanceof JsonArray a ? a : new JsonArray().add(input);
    List<String> texts = new ArrayList<>(items.size());
    for (Object t : items) {
      if (!(t instanceof String text)) {
        throw new IllegalArgumentException(
            "This model takes 'input' as a string or an array of strings; token-id arrays are not supported.");
      }
      if (text.isEmpty()) {
        throw new IllegalArgumentException("'input' must not contain empty strings.");
      }
      texts.add(text);
    }
    return texts;
  }

  /** The client's {@code dimensions}, or null. */
  public static Long dimensions(JsonObject openAiBody) {
    return openAiBody.getValue("dimensions") instanceof Number n ? n.longValue() : null;
  }

  /**
   * The {@code batchEmbedContents} body: one request per input string, each naming {@code
   * models/<model>}; {@code dimensions} becomes {@code outputDimensionality}.
   */
  static JsonObject request(String bareModel, JsonObject openAiBody) {
    Long dimensions = dimensions(openAiBody);
    JsonArray requests = new JsonArray();
    for (String text : texts(openAiBody)) {
      JsonObject r = new JsonObject()
          .put("model", "models/" + bareModel)
          .put("content", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", text))));
      if (dimensions != null) {
        r.put("outputDimensionality", dimensions);
      }
      requests.add(r);
    }
    return new JsonObject().put("requests", requests);
  }

  /**
   * OpenAI's list from {@code {"embeddings":[{"values":[...]}]}}, in input order; usage NONE (Gemini
   * reports none), left for the gateway to fill with the tokens it counted.
   */
  static ChatResult response(JsonObject upstreamBody, String requestedModel, JsonObject openAiBody) {
    JsonArray embeddings = upstreamBody.getJsonArray("embeddings");
    if (embeddings == null) {
      throw new IllegalArgumentException("no embeddings in the answer");
    }
    List<JsonArray> vectors = new ArrayList<>(embeddings.size());
    for (int i = 0; i < embeddings.size(); i++) {
      vectors.add(embeddings.getJsonObject(i).getJsonArray("values"));
    }
    return new ChatResult(list(vectors, requestedModel, openAiBody), Usage.NONE);
  }

  /**
   * OpenAI's embeddings list ({@code object: list}, {@code data[{object: embedding, index,
   * embedding}]}, {@code model}) without usage; each embedding as floats or, for {@code
   * encoding_format: base64}, as OpenAI encodes them (little-endian float32, base64).
   */
  public static JsonObject list(List<JsonArray> vectors, String requestedModel, JsonObject openAiBody) {
    boolean base64 = "base64".equals(openAiBody.getValue("encoding_format"));
    JsonArray data = new JsonArray();
    for (int i = 0; i < vectors.size(); i++) {
      JsonArray values = vectors.get(i);
      if (values == null) {
        throw new IllegalArgumentException("an embedding without values");
      }
      data.add(new JsonObject().put("object", "embedding").put("index", i)
          .put("embedding", base64 ? base64(values) : values));
    }
    return new JsonObject().put("object", "list").put("data", data).put("model", requestedModel);
  }

  private static String base64(JsonArray values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < values.size(); i++) {
      bytes.putFloat(((Number) values.getValue(i)).floatValue());
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}
