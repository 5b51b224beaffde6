package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Fake Anthropic Messages API: {@code POST /v1/messages} and {@code /v1/messages/count_tokens} with
 * {@code x-api-key} and {@code anthropic-version}; answers and errors in Anthropic's shapes.
 */
public final class FakeAnthropic extends FakeProvider {

  public static final String DEFAULT_TEXT = "Hello from fake Anthropic";
  public static final long DEFAULT_INPUT_TOKENS = 12;
  public static final long DEFAULT_OUTPUT_TOKENS = 5;
  public static final String COUNT_TOKENS_PATH = "/v1/messages/count_tokens";

  /** A fake accepting {@code apiKey}, on its own Vert.x instance. */
  public FakeAnthropic(String apiKey) {
    super(apiKey);
  }

  @Override
  protected Reply reject(RecordedRequest r) {
    boolean count = COUNT_TOKENS_PATH.equals(r.path());
    if (!"POST".equals(r.method()) || !("/v1/messages".equals(r.path()) || count)) {
      return Reply.json(404, error("not_found_error", "Not found"));
    }
    if (!apiKey.equals(r.header("x-api-key"))) {
      return Reply.json(401, error("authentication_error", "invalid x-api-key"));
    }
    if (r.header("anthropic-version") == null) {
      return Reply.json(
          400, error("invalid_request_error", "anthropic-version: header is required"));
    }
    JsonObject body = r.json();
    if (count && body.getValue("max_tokens") != null) {
      return Reply.json(400, error("invalid_request_error", "max_tokens: Extra inputs are not permitted"));
    }
    if (!count && body.getValue("max_tokens") == null) {
      return Reply.json(400, error("invalid_request_error", "max_tokens: Field required"));
    }
    if (body.getValue("model") == null) {
      return Reply.json(400, error("invalid_request_error", "model: Field required"));
    }
    return null;
  }

  @Override
  protected Reply defaultReply(RecordedRequest r) {
    if (COUNT_TOKENS_PATH.equals(r.path())) {
      return Reply.json(200, new JsonObject().put("input_tokens", DEFAULT_INPUT_TOKENS));
    }
    if (Boolean.TRUE.equals(r.json().getBoolean("stream"))) {
      return Reply.sse(
          textEvents(
              List.of("Hello from ", "fake Anthropic"),
              DEFAULT_INPUT_TOKENS,
              DEFAULT_OUTPUT_TOKENS,
              "end_turn"));
    }
    return Reply.json(
        200, message(DEFAULT_TEXT, DEFAULT_INPUT_TOKENS, DEFAULT_OUTPUT_TOKENS, "end_turn"));
  }

  /** A complete text {@code message}. */
  public static JsonObject message(
      String text, long inputTokens, long outputTokens, String stopReason) {
    return envelope(stopReason, inputTokens, outputTokens)
        .put(
            "content", new JsonArray().add(new JsonObject().put("type", "text").put("text", text)));
  }

  /** A message whose content is one {@code tool_use} block after an optional text. */
  public static JsonObject toolUseMessage(
      String text,
      String toolId,
      String name,
      JsonObject input,
      long inputTokens,
      long outputTokens) {
    JsonArray content = new JsonArray();
    if (text != null) {
      content.add(new JsonObject().put("type", "text").put("text", text));
    }
    content.add(
        new JsonObject()
            .put("type", "tool_use")
            .put("id", toolId)
            .put("name", name)
            .put("input", input));
    return envelope("tool_use", inputTokens, outputTokens).put("content", content);
  }

  /**
   * A message that searched the web {@code searches} times with the {@code web_search} server tool,
   * as Anthropic's docs show it: per search a {@code server_tool_use} block and its {@code
   * web_search_tool_result}, then the cited text; {@code usage.server_tool_use.web_search_requests}
   * counts the searches.
   */
  public static JsonObject webSearchMessage(String text, int searches, long inputTokens, long outputTokens) {
    JsonArray content = new JsonArray();
    for (int i = 0; i < searches; i++) {
      content.add(serverToolUse(i).put("input", new JsonObject().put("query", "query " + i)));
      content.add(searchResult(i));
    }
    content.add(new JsonObject().put("type", "text").put("text", text));
    JsonObject message = envelope("end_turn", inputTokens, outputTokens).put("content", content);
    message.getJsonObject("usage").put("server_tool_use", new JsonObject().put("web_search_requests", searches));
    return message;
  }

  /**
   * The stream of {@link #webSearchMessage}: message_start, per search a {@code server_tool_use}
   * block (its query as input_json_delta) and a {@code web_search_tool_result} block (whole in its
   * content_block_start), the text block, then message_delta with the cumulative usage and the
   * searches in {@code server_tool_use.web_search_requests}, and message_stop.
   */
  public static List<String> webSearchEvents(List<String> pieces, int searches, long inputTokens, long outputTokens) {
    List<String> events = new ArrayList<>();
    events.add(messageStart(inputTokens));
    int index = 0;
    for (int i = 0; i < searches; i++) {
      events.add(blockStart(index, serverToolUse(i).put("input", new JsonObject())));
      events.add(Sse.event("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", index)
          .put("delta", new JsonObject().put("type", "input_json_delta").put("partial_json", "{\"query\":\"query " + i + "\"}"))));
      events.add(blockStop(index++));
      events.add(blockStart(index, searchResult(i)));
      events.add(blockStop(index++));
    }
    events.add(blockStart(index, new JsonObject().put("type", "text").put("text", "")));
    for (String piece : pieces) {
      events.add(Sse.event("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", index)
          .put("delta", new JsonObject().put("type", "text_delta").put("text", piece))));
    }
    events.add(blockStop(index));
    events.add(Sse.event("message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", "end_turn").putNull("stop_sequence"))
        .put("usage", new JsonObject().put("input_tokens", inputTokens).put("cache_creation_input_tokens", 0)
            .put("cache_read_input_tokens", 0).put("output_tokens", outputTokens)
            .put("server_tool_use", new JsonObject().put("web_search_requests", searches)))));
    events.add(Sse.event("message_stop", new JsonObject().put("type", "message_stop")));
    return events;
  }

  private static JsonObject serverToolUse(int i) {
    return new JsonObject().put("type", "server_tool_use").put("id", "srvtoolu_0" + i).put("name", "web_search");
  }

  private static JsonObject searchResult(int i) {
    JsonObject result = new JsonObject().put("type", "web_search_result").put("url", "https://example.com/" + i)
        .put("title", "Result " + i).put("encrypted_content", "EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5").putNull("page_age");
    return new JsonObject().put("type", "web_search_tool_result").put("tool_use_id", "srvtoolu_0" + i)
        .put("content", new JsonArray().add(result));
  }

  private static String blockStart(int index, JsonObject block) {
    return Sse.event("content_block_start",
        new JsonObject().put("type", "content_block_start").put("index", index).put("content_block", block));
  }

  private static String blockStop(int index) {
    return Sse.event("content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", index));
  }

  private static JsonObject envelope(String stopReason, long inputTokens, long outputTokens) {
    return new JsonObject()
        .put("id", "msg_01XFDUDYJgAACzvnptvVoYEL")
        .put("type", "message")
        .put("role", "assistant")
        .put("model", "claude-sonnet-4-5-20250929")
        .put("stop_reason", stopReason)
        .putNull("stop_sequence")
        .put(
            "usage",
            new JsonObject().put("input_tokens", inputTokens).put("output_tokens", outputTokens));
  }

  /** The events of a streamed text answer: message_start, a ping, one delta per piece, the end. */
  public static List<String> textEvents(
      List<String> pieces, long inputTokens, long outputTokens, String stopReason) {
    List<String> events = new ArrayList<>();
    events.add(messageStart(inputTokens));
    events.add(
        Sse.event(
            "content_block_start",
            new JsonObject()
                .put("type", "content_block_start")
                .put("index", 0)
                .put("content_block", new JsonObject().put("type", "text").put("text", ""))));
    events.add(Sse.event("ping", new JsonObject().put("type", "ping")));
    for (String piece : pieces) {
      events.add(
          Sse.event(
              "content_block_delta",
              new JsonObject()
                  .put("type", "content_block_delta")
                  .put("index", 0)
                  .put("delta", new JsonObject().put("type", "text_delta").put("text", piece))));
    }
    events.add(
        Sse.event(
            "content_block_stop",
            new JsonObject().put("type", "content_block_stop").put("index", 0)));
    events.add(messageDelta(stopReason, outputTokens));
    events.add(Sse.event("message_stop", new JsonObject().put("type", "message_stop")));
    return events;
  }

  private static String messageStart(long inputTokens) {
    JsonObject message = envelope(null, inputTokens, 1).put("content", new JsonArray());
    return Sse.event(
        "message_start", new JsonObject().put("type", "message_start").put("message", message));
  }

  private static String messageDelta(String stopReason, long outputTokens) {
    return Sse.event(
        "message_delta",
        new JsonObject()
            .put("type", "message_delta")
            .put("delta", new JsonObject().put("stop_reason", stopReason).putNull("stop_sequence"))
            .put("usage", new JsonObject().put("output_tokens", outputTokens)));
  }

  /** An Anthropic error body. */
  public static JsonObject error(String type, String message) {
    return new JsonObject()
        .put("type", "error")
        .put("error", new JsonObject().put("type", type).put("message", message));
  }

  /** An {@code error} event, as Anthropic sends mid-stream (e.g. overloaded_error). */
  public static String errorEvent(String type, String message) {
    return Sse.event("error", error(type, message));
  }
}
