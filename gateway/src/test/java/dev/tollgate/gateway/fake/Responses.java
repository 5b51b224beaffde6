package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI Responses API shapes as the provider sends them, for the OpenAI-compatible and Azure
 * fakes: the {@code response} object (with {@code usage.input_tokens_details.cached_tokens} and
 * {@code output_tokens_details.reasoning_tokens}) and the named stream events, from {@code
 * response.created} to {@code response.completed} carrying the final response and its usage.
 */
public final class Responses {

  public static final String PATH = "/v1/responses";
  public static final String ID = "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b";
  public static final String ITEM_ID = "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b";
  public static final String MODEL = "gpt-4.1-2025-04-14";

  private Responses() {}

  /** A completed {@code response} with one text message. */
  public static JsonObject response(String text, long inputTokens, long cachedTokens, long outputTokens, long reasoningTokens) {
    return base("completed")
        .put("output", new JsonArray().add(message(text, "completed")))
        .put("usage", usage(inputTokens, cachedTokens, outputTokens, reasoningTokens));
  }

  public static JsonObject usage(long inputTokens, long cachedTokens, long outputTokens, long reasoningTokens) {
    return new JsonObject()
        .put("input_tokens", inputTokens)
        .put("input_tokens_details", new JsonObject().put("cached_tokens", cachedTokens))
        .put("output_tokens", outputTokens)
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", reasoningTokens))
        .put("total_tokens", inputTokens + outputTokens);
  }

  /**
   * A completed {@code response} that searched the web {@code searches} times with the {@code
   * web_search} tool: one {@code web_search_call} output item per search, then the text message.
   */
  public static JsonObject webSearchResponse(String text, int searches, long inputTokens, long outputTokens) {
    JsonObject response = response(text, inputTokens, 0, outputTokens, 0);
    JsonArray output = new JsonArray();
    for (int i = 0; i < searches; i++) {
      output.add(webSearchCall(i, "completed"));
    }
    response.put("output", output.addAll(response.getJsonArray("output")));
    return response;
  }

  /** A {@code web_search_call} output item; a completed one carries its search action. */
  public static JsonObject webSearchCall(int i, String status) {
    JsonObject item = new JsonObject().put("type", "web_search_call").put("id", "ws_67ccf18f64008190a39b619f4c8455ef0" + i)
        .put("status", status);
    return "completed".equals(status)
        ? item.put("action", new JsonObject().put("type", "search").put("query", "query " + i)) : item;
  }

  /**
   * A streamed text answer: created, in_progress, output_item.added, content_part.added, one
   * output_text.delta per piece, output_text.done, content_part.done, output_item.done, completed.
   */
  public static List<String> textEvents(List<String> pieces, long inputTokens, long cachedTokens, long outputTokens) {
    return events(0, pieces, response(String.join("", pieces), inputTokens, cachedTokens, outputTokens, 0));
  }

  /**
   * The stream of {@link #webSearchResponse}: per search output_item.added, web_search_call
   * in_progress, searching and completed, output_item.done; then the text message as in {@link
   * #textEvents}, and response.completed with the whole output and usage.
   */
  public static List<String> webSearchEvents(List<String> pieces, int searches, long inputTokens, long outputTokens) {
    return events(searches, pieces, webSearchResponse(String.join("", pieces), searches, inputTokens, outputTokens));
  }

  private static List<String> events(int searches, List<String> pieces, JsonObject completed) {
    List<String> events = new ArrayList<>();
    String text = String.join("", pieces);
    events.add(event("response.created", new JsonObject().put("response", base("in_progress"))));
    events.add(event("response.in_progress", new JsonObject().put("response", base("in_progress"))));
    for (int i = 0; i < searches; i++) {
      String id = webSearchCall(i, "in_progress").getString("id");
      events.add(event("response.output_item.added", new JsonObject().put("output_index", i).put("item", webSearchCall(i, "in_progress"))));
      for (String phase : List.of("in_progress", "searching", "completed")) {
        events.add(event("response.web_search_call." + phase, new JsonObject().put("output_index", i).put("item_id", id)));
      }
      events.add(event("response.output_item.done", new JsonObject().put("output_index", i).put("item", webSearchCall(i, "completed"))));
    }
    int textIndex = searches;
    events.add(event("response.output_item.added",
        new JsonObject().put("output_index", textIndex).put("item", message(null, "in_progress"))));
    events.add(event("response.content_part.added", part(textIndex).put("part", outputText(""))));
    for (String piece : pieces) {
      events.add(event("response.output_text.delta", part(textIndex).put("delta", piece).put("logprobs", new JsonArray())));
    }
    events.add(event("response.output_text.done", part(textIndex).put("text", text).put("logprobs", new JsonArray())));
    events.add(event("response.content_part.done", part(textIndex).put("part", outputText(text))));
    events.add(event("response.output_item.done",
        new JsonObject().put("output_index", textIndex).put("item", message(text, "completed"))));
    events.add(event("response.completed", new JsonObject().put("response", completed)));
    // sequence numbers as the provider counts them, from 0
    List<String> numbered = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      String e = events.get(i);
      int at = e.indexOf("data: ") + "data: ".length();
      numbered.add(e.substring(0, at) + new JsonObject(e.substring(at)).put("sequence_number", i).encode());
    }
    return numbered;
  }

  /** A named event whose data carries its {@code type}. */
  public static String event(String type, JsonObject data) {
    return Sse.event(type, new JsonObject().put("type", type).mergeIn(data));
  }

  private static JsonObject part(int outputIndex) {
    return new JsonObject().put("item_id", ITEM_ID).put("output_index", outputIndex).put("content_index", 0);
  }

  private static JsonObject outputText(String text) {
    return new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray());
  }

  private static JsonObject message(String text, String status) {
    return new JsonObject()
        .put("id", ITEM_ID)
        .put("type", "message")
        .put("status", status)
        .put("role", "assistant")
        .put("content", text == null ? new JsonArray() : new JsonArray().add(outputText(text)));
  }

  private static JsonObject base(String status) {
    return new JsonObject()
        .put("id", ID)
        .put("object", "response")
        .put("created_at", 1741476542L)
        .put("status", status)
        .putNull("error")
        .putNull("incomplete_details")
        .putNull("instructions")
        .putNull("max_output_tokens")
        .put("model", MODEL)
        .put("output", new JsonArray())
        .put("parallel_tool_calls", true)
        .putNull("previous_response_id")
        .put("reasoning", new JsonObject().putNull("effort").putNull("summary"))
        .put("store", true)
        .put("temperature", 1.0)
        .put("text", new JsonObject().put("format", new JsonObject().put("type", "text")))
        .put("tool_choice", "auto")
        .put("tools", new JsonArray())
        .put("top_p", 1.0)
        .put("truncation", "disabled")
        .putNull("usage")
        .putNull("user")
        .put("metadata", new JsonObject());
  }
}
