package dev.tollgate.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PassThroughAnswerTest {

  /** The top-level model span as the provider wrote it; everything else must survive byte for byte. */
  private static final String UPSTREAM_MODEL = "\"model\" : \"gpt-4o-2024-08-06\"";

  /**
   * A provider answer in the provider's own formatting: usage before the model, a nested {@code
   * model} key in the message, a tool call whose arguments string mentions a model, and strings
   * with escapes and non-ASCII characters that a re-encoding would change.
   */
  private static final String ANSWER = """
      {
        "id": "chatcmpl-abc",
        "object": "chat.completion",
        "created": 1700000000,
        "usage": {"prompt_tokens": 123456789012, "completion_tokens": 42, "total_tokens": 123456789054,
          "prompt_tokens_details": {"cached_tokens": 7, "model": "inner"},
          "completion_tokens_details": {"reasoning_tokens": 3}},
        "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": null,
          "message": {"role": "assistant", "model": "nested-must-stay",
            "content": "h\\u00e9llo \\"q\\" \\\\ \\/ \\u2028 é 😀 \\ud83d\\ude00 \\n\\t end",
            "tool_calls": [{"id": "call_1", "type": "function",
              "function": {"name": "pick", "arguments": "{\\"model\\":\\"gpt-3.5\\",\\"n\\":1.50e2}"}}]}}],
        %s,
        "system_fingerprint": "fp_1", "weights": [1.0E2, -0.0, 12345678901234567890]
      }
      """.formatted(UPSTREAM_MODEL);

  @Test
  void replacesOnlyTheTopLevelModelAndKeepsEveryOtherByte() {
    PassThroughAnswer a = PassThroughAnswer.of(utf8(ANSWER), "alias");

    assertThat(a).isNotNull();
    String expected = ANSWER.replace(UPSTREAM_MODEL, "\"model\" : \"alias\"");
    assertThat(a.body().getBytes()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
    JsonObject out = a.body().toJsonObject();
    assertThat(out.getString("model")).isEqualTo("alias");
    JsonObject message = out.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
    assertThat(message.getString("model")).isEqualTo("nested-must-stay");
    assertThat(message.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("arguments"))
        .isEqualTo("{\"model\":\"gpt-3.5\",\"n\":1.50e2}");
    assertThat(message.getString("content")).isEqualTo("héllo \"q\" \\ / \u2028 é 😀 😀 \n\t end");
    assertThat(out.getJsonObject("usage").getJsonObject("prompt_tokens_details").getString("model")).isEqualTo("inner");
  }

  @Test
  void readsTheProvidersUsageExactly() {
    PassThroughAnswer a = PassThroughAnswer.of(utf8(ANSWER), "alias");

    assertThat(a.usage()).isEqualTo(new Usage(123456789012L, 7, 0, 42, true));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":194,\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":64,\"cache_write_tokens\":100,\"audio_tokens\":0}}}",
      "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":194,\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":null}}}",
      "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":194,\"completion_tokens\":2,\"prompt_tokens_details\":null}}",
      "{\"model\":\"m\",\"usage\":{\"prompt_tokens_details\":{\"cached_tokens\":1024},\"prompt_tokens\":2006,\"completion_tokens\":300}}"
  })
  void readsPromptCacheCountsAsTheTreePathDoes(String body) {
    PassThroughAnswer a = PassThroughAnswer.of(utf8(body), "alias");

    assertThat(a).isNotNull();
    assertThat(a.usage()).isEqualTo(OpenAiWire.chatResult(new JsonObject(body), "alias").usage());
    assertThat(a.usage().cachedInputTokens()).isEqualTo(body.contains(":64") ? 64 : body.contains("1024") ? 1024 : 0);
    assertThat(a.usage().cacheWriteTokens()).isEqualTo(body.contains("cache_write_tokens") ? 100 : 0);
  }

  @Test
  void sameJsonAsTheTreePath() {
    PassThroughAnswer a = PassThroughAnswer.of(utf8(ANSWER), "alias");
    ChatResult tree = OpenAiWire.chatResult(utf8(ANSWER).toJsonObject(), "alias");

    // JsonObject equality ignores field order and whitespace: the documented difference
    assertThat(a.body().toJsonObject()).isEqualTo(tree.openAiBody());
    assertThat(a.usage()).isEqualTo(tree.usage());
  }

  @Test
  void requestedNameIsWrittenAsAJsonString() {
    String name = "we\"ird\\name/é😀\u0001";
    PassThroughAnswer a = PassThroughAnswer.of(utf8(ANSWER), name);

    assertThat(a.body().toJsonObject().getString("model")).isEqualTo(name);
    assertThat(a.body().toJsonObject()).isEqualTo(OpenAiWire.chatResult(utf8(ANSWER).toJsonObject(), name).openAiBody());
  }

  @Test
  void compactAnswerWithModelFirstAndNoCompletionCount() {
    String body = "{\"model\":\"up\",\"choices\":[],\"usage\":{\"prompt_tokens\":9}}";
    PassThroughAnswer a = PassThroughAnswer.of(utf8(body), "m");

    assertThat(a.body().toString()).isEqualTo("{\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":9}}");
    assertThat(a.usage()).isEqualTo(new Usage(9, 0, true)).isEqualTo(OpenAiWire.chatResult(new JsonObject(body), "m").usage());
  }

  @Test
  void largeAnswerPassesThroughIntact() {
    StringBuilder content = new StringBuilder();
    for (int i = 0; content.length() < 4_000_000; i++) {
      content.append("word").append(i).append(" é\\\"x\\u00e9 ");
    }
    StringBuilder choices = new StringBuilder();
    for (int i = 0; i < 2_000; i++) {
      choices.append(i == 0 ? "" : ",")
          .append("{\"index\":").append(i).append(",\"message\":{\"role\":\"assistant\",\"model\":\"n")
          .append(i).append("\",\"content\":\"c").append(i).append("\"}}");
    }
    String prefix = "{\"id\":\"x\",\"choices\":[{\"index\":-1,\"message\":{\"content\":\"" + content + "\"}}," + choices + "],";
    String suffix = ",\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":999999}}";
    String body = prefix + "\"model\":\"upstream\"" + suffix;

    PassThroughAnswer a = PassThroughAnswer.of(utf8(body), "alias");

    assertThat(a).isNotNull();
    assertThat(a.body().getBytes()).isEqualTo((prefix + "\"model\":\"alias\"" + suffix).getBytes(StandardCharsets.UTF_8));
    assertThat(a.usage()).isEqualTo(new Usage(1_000_000, 999_999, true));
  }

  /** Each of these must take the tree path: it strips, counts, decides or reports the error. */
  @ParameterizedTest
  @ValueSource(strings = {
      // Azure's annotations, top level and per choice
      "{\"model\":\"m\",\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{}}],\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}",
      "{\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"x\"},\"content_filter_results\":{\"hate\":{\"filtered\":false}}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}",
      "{\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"x\"},\"content_filter_offsets\":{\"start_offset\":0}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}",
      // no usage to read, or not readable as integers
      "{\"model\":\"m\",\"choices\":[]}",
      "{\"model\":\"m\",\"choices\":[],\"usage\":null}",
      "{\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":\"1\",\"completion_tokens\":1}}",
      "{\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1.5}}",
      "{\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":1},\"usage\":{\"prompt_tokens\":2}}",
      "{\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"prompt_tokens_details\":{\"cached_tokens\":\"4\"}}}",
      // no top-level model (a nested one does not count), a non-string one, or two
      "{\"choices\":[{\"message\":{\"model\":\"m\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}",
      "{\"model\":null,\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}",
      "{\"model\":{\"name\":\"m\"},\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}",
      "{\"model\":\"a\",\"choices\":[],\"model\":\"b\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}",
      // trailing data
      "{\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}{}",
      "{\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}} x",
      // not a readable JSON object
      "{\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}",
      "{\"model\":\"m\",\"choices\":[,\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}",
      "[{\"model\":\"m\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}]",
      "<html>502 Bad Gateway</html>",
      ""
  })
  void fallsBackToTheTreePath(String body) {
    assertThat(PassThroughAnswer.of(utf8(body), "alias")).isNull();
  }

  @Test
  void trailingWhitespaceIsNotTrailingData() {
    String body = "{\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n \r\n";

    assertThat(PassThroughAnswer.of(utf8(body), "alias").body().toString())
        .isEqualTo("{\"model\":\"alias\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n \r\n");
  }

  @Test
  void byteOrderMarkIsKeptAndTheModelSpanStillFound() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    String json = "{\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}";

    PassThroughAnswer a = PassThroughAnswer.of(Buffer.buffer(bom).appendString(json), "alias");

    // Jackson's byte offsets count the BOM, so the replaced span is the model's, not 3 bytes early
    assertThat(a.body().getBytes())
        .isEqualTo(Buffer.buffer(bom).appendString(json.replace("\"m\"", "\"alias\"")).getBytes());
  }

  private static Buffer utf8(String s) {
    return Buffer.buffer(s.getBytes(StandardCharsets.UTF_8));
  }
}
