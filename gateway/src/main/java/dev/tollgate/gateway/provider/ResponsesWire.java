package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Shapes of OpenAI's Responses API that metering needs: the {@code response} object's usage
 * ({@code input_tokens} with {@code input_tokens_details.cached_tokens}, {@code output_tokens}
 * with reasoning included) and its output text, and the answer as the client gets it.
 */
public final class ResponsesWire {

  private ResponsesWire() {}

  /** A 2xx {@code response} object with the requested model name, and its usage (NONE if absent). */
  public static ChatResult result(JsonObject upstreamBody, String requestedModel) {
    JsonObject body = OpenAiWire.topLevelCopy(upstreamBody).put("model", requestedModel);
    return new ChatResult(body, usageOf(body));
  }

  /**
   * The usage of a {@code response} object as the provider reported it, or {@link Usage#NONE} when
   * it carries none (e.g. {@code response.created}); with the web searches its output shows either
   * way (one {@code web_search_call} item per search, each billed).
   */
  public static Usage usageOf(JsonObject response) {
    long searches = 0;
    if (response.getValue("output") instanceof JsonArray output) {
      for (Object item : output) {
        searches += item instanceof JsonObject i && webSearchCall(i) ? 1 : 0;
      }
    }
    // both counts or none: an output count that is missing or null is not reported as 0, the gateway counts
    if (!(response.getValue("usage") instanceof JsonObject u) || !(u.getValue("input_tokens") instanceof Number in)
        || !(u.getValue("output_tokens") instanceof Number out)) {
      return Usage.NONE.withWebSearchCalls(searches);
    }
    JsonObject details = u.getValue("input_tokens_details") instanceof JsonObject d ? d : new JsonObject();
    return new Usage(in.longValue(), Usage.count(details, "cached_tokens"), 0, out.longValue(), true).withWebSearchCalls(searches);
  }

  /** An output item that is a web search the provider ran (not one that failed). */
  static boolean webSearchCall(JsonObject item) {
    return "web_search_call".equals(item.getValue("type")) && !"failed".equals(item.getValue("status"));
  }

  /**
   * The text a {@code response} object's output carries (message text and refusals, function
   * names and arguments, reasoning summaries), for counting when the provider reported no usage.
   */
  public static String outputText(JsonObject response) {
    StringBuilder sb = new StringBuilder();
    if (response.getValue("output") instanceof JsonArray output) {
      for (Object o : output) {
        if (!(o instanceof JsonObject item)) {
          continue;
        }
        if (item.getValue("name") instanceof String name) {
          sb.append(name);
        }
        if (item.getValue("arguments") instanceof String args) {
          sb.append(args);
        }
        for (String parts : new String[] {"content", "summary"}) {
          if (item.getValue(parts) instanceof JsonArray list) {
            for (Object p : list) {
              if (p instanceof JsonObject part) {
                sb.append(part.getValue("text") instanceof String t ? t : "");
                sb.append(part.getValue("refusal") instanceof String r ? r : "");
              }
            }
          }
        }
      }
    }
    return sb.toString();
  }
}
