package dev.tollgate.gateway.provider;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * An OpenAI-shaped {@code chat.completion} answer passed to the client as the provider's bytes, with
 * only the {@code model} value replaced by the requested name, and its usage read on the way: one
 * streaming pass instead of building a JSON tree, copying it and encoding it again (~12% of the
 * gateway's CPU per request, benchmark.md). Same answer as {@link OpenAiWire#chatResult} apart from
 * whitespace; {@link #of} returns null whenever that method would do more (Azure's filter
 * annotations to strip, no usage to read, no model to replace, anything unexpected), and the caller
 * then takes the tree path, which also owns the error for an unreadable body.
 *
 * @param body the client's body
 * @param usage the provider's usage figures
 */
public record PassThroughAnswer(Buffer body, Usage usage) {

  private static final JsonFactory JSON = new JsonFactory();

  /** The pass-through answer, or null when the tree path must handle this body. */
  public static PassThroughAnswer of(Buffer upstreamBody, String requestedModel) {
    byte[] in = upstreamBody.getBytes();
    long modelStart = -1;
    long modelEnd = -1;
    long promptTokens = -1;
    long completionTokens = 0;
    long cachedTokens = 0;
    long cacheWriteTokens = 0;
    try (JsonParser p = JSON.createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      int depth = 1;
      while (depth > 0) {
        JsonToken t = p.nextToken();
        if (t == null) {
          return null;
        }
        switch (t) {
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> depth--;
          case FIELD_NAME -> {
            String name = p.currentName();
            if (name.endsWith("filter_results") || name.equals("content_filter_offsets")) {
              return null; // Azure's annotations: the tree path strips them
            }
            if (depth != 1) {
              break;
            }
            if (name.equals("model")) {
              if (modelStart >= 0 || p.nextToken() != JsonToken.VALUE_STRING) {
                return null;
              }
              modelStart = p.currentTokenLocation().getByteOffset();
              p.finishToken(); // strings are read lazily: the location below is after the closing quote
              modelEnd = p.currentLocation().getByteOffset();
            } else if (name.equals("usage")) {
              if (promptTokens >= 0 || p.nextToken() != JsonToken.START_OBJECT) {
                return null;
              }
              promptTokens = 0;
              for (JsonToken f = p.nextToken(); f != JsonToken.END_OBJECT; f = p.nextToken()) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equals("prompt_tokens_details") && v == JsonToken.START_OBJECT) {
                  long[] cache = cacheCounts(p);
                  if (cache == null) {
                    return null;
                  }
                  cachedTokens = cache[0];
                  cacheWriteTokens = cache[1];
                  continue;
                }
                boolean counted = field.equals("prompt_tokens") || field.equals("completion_tokens");
                if (counted && v != JsonToken.VALUE_NUMBER_INT) {
                  return null;
                }
                if (field.equals("prompt_tokens")) {
                  promptTokens = p.getLongValue();
                } else if (field.equals("completion_tokens")) {
                  completionTokens = p.getLongValue();
                } else {
                  p.skipChildren();
                }
              }
            }
          }
          default -> { }
        }
      }
      if (p.nextToken() != null || modelStart < 0 || promptTokens < 0) {
        return null; // trailing data, or no model or usage: the tree path decides
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    byte[] model = JsonStringEncoder.getInstance().quoteAsUTF8(requestedModel);
    int start = (int) modelStart;
    int end = (int) modelEnd;
    Buffer out = Buffer.buffer(in.length - (end - start) + model.length + 2)
        .appendBytes(in, 0, start)
        .appendByte((byte) '"')
        .appendBytes(model)
        .appendByte((byte) '"')
        .appendBytes(in, end, in.length - end);
    return new PassThroughAnswer(
        out, new Usage(promptTokens, cachedTokens, cacheWriteTokens, completionTokens, true));
  }

  /**
   * {@code cached_tokens} and {@code cache_write_tokens} of {@code prompt_tokens_details}, the
   * parser on its opening brace; null when either is there but not an integer or null (the tree
   * path decides then, as {@link OpenAiWire#usageOf} does).
   */
  private static long[] cacheCounts(JsonParser p) throws IOException {
    long[] counts = new long[2];
    for (JsonToken f = p.nextToken(); f != JsonToken.END_OBJECT; f = p.nextToken()) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      int i = field.equals("cached_tokens") ? 0 : field.equals("cache_write_tokens") ? 1 : -1;
      if (i < 0) {
        p.skipChildren();
      } else if (v == JsonToken.VALUE_NUMBER_INT) {
        counts[i] = p.getLongValue();
      } else if (v != JsonToken.VALUE_NULL) {
        return null;
      }
    }
    return counts;
  }
}
