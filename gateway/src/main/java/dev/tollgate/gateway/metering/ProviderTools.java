package dev.tollgate.gateway.metering;

import dev.tollgate.gateway.http.GatewayRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The tools a request asks the provider to run itself, which the provider bills per use outside the
 * token usage (ADR 0047). Only web search has a price a route can carry ({@code
 * webSearchPricePerThousand}); every other provider-run tool is {@link #unpriced} and refused before
 * admission. Tools the client runs (functions, custom tools, Anthropic's bash, text editor, computer
 * and memory tools, the Responses API's computer use, local shell and apply-patch) cost only tokens
 * and are not listed. Read from the request as the three APIs define it:
 *
 * <ul>
 *   <li>chat completions: {@code web_search_options} is one search (OpenAI's search models); any
 *       {@code tools[]} entry other than {@code function} or {@code custom} is provider-run.
 *   <li>the Responses API: {@code web_search*} tools are searches, bounded in all by {@code
 *       max_tool_calls}; {@code file_search}, {@code code_interpreter}, {@code image_generation},
 *       {@code mcp}, a hosted {@code shell} and any type not known to be the client's are
 *       provider-run.
 *   <li>the Messages API: {@code web_search_*} server tools are searches, each bounded by its {@code
 *       max_uses}; {@code web_fetch_*}, {@code code_execution_*}, any other typed tool not known to
 *       be the client's, and {@code mcp_servers} are provider-run.
 *   <li>the Gemini API ({@code generateContent}): every field of a {@code tools[]} Tool other than
 *       {@code functionDeclarations} and {@code computerUse} (whose actions the client executes) is
 *       provider-run: {@code googleSearch}, {@code googleSearchRetrieval}, {@code codeExecution},
 *       {@code urlContext}, {@code fileSearch}, {@code googleMaps}, and any added later (ADR 0051).
 * </ul>
 *
 * @param unpriced the first provider-run tool the gateway has no price for (its {@code type}, or
 *     the field that enables it), null when there is none
 * @param param the request field that enables the provider-run tool ({@code tools}, {@code
 *     web_search_options}, {@code mcp_servers}); null when there is none
 * @param webSearch true when the request lets the provider search the web
 * @param declaredSearches the searches the request allows where it bounds them: the web search
 *     tools' {@code max_uses} summed, {@code max_tool_calls}, 1 for {@code web_search_options}
 * @param unboundedSearchTools web search tools whose searches the request leaves unbounded (each
 *     gets the gateway's default ceiling, {@link #searchCeiling}, which is also sent upstream)
 */
public record ProviderTools(String unpriced, String param, boolean webSearch, long declaredSearches, int unboundedSearchTools) {

  public static final ProviderTools NONE = new ProviderTools(null, null, false, 0, 0);

  /** Searches reserved at most, far beyond any request's: a larger bound is reserved as this many. */
  static final long MAX_SEARCHES = 1_000_000;

  /** Anthropic-defined tools the client executes (type prefixes of their versioned names). */
  private static final String[] ANTHROPIC_CLIENT_TOOLS = {"bash_", "text_editor_", "computer_", "memory_"};
  /** Responses API tools the client executes (a {@code shell} with a hosted environment is not). */
  private static final Set<String> RESPONSES_CLIENT_TOOLS =
      Set.of("function", "custom", "computer_use_preview", "local_shell", "apply_patch");
  /** Gemini Tool fields the client executes (both spellings Google's JSON parser accepts). */
  private static final Set<String> GEMINI_CLIENT_TOOLS =
      Set.of("functionDeclarations", "function_declarations", "computerUse", "computer_use");

  /** What {@code body} (already validated by the parse filter) enables at the provider. */
  public static ProviderTools of(GatewayRequest.Endpoint endpoint, JsonObject body) {
    return switch (endpoint) {
      case CHAT -> chat(body);
      case RESPONSES -> responses(body);
      case MESSAGES -> messages(body);
      case GENERATE_CONTENT -> gemini(body);
      default -> NONE; // embeddings, legacy completions and images have no tools; a token count runs none
    };
  }

  /**
   * The searches reserved: those the request declares plus {@code defaultCalls} for each unbounded
   * search tool, at most {@link #MAX_SEARCHES}.
   */
  public long searchCeiling(long defaultCalls) {
    long unbounded = Math.min(MAX_SEARCHES, (long) unboundedSearchTools * defaultCalls);
    return Math.min(MAX_SEARCHES, declaredSearches + unbounded);
  }

  /**
   * Writes {@code calls} into {@code body} as the bound of every web search it leaves unbounded
   * ({@code max_uses} of each such Messages API tool, {@code max_tool_calls} of a Responses body), so
   * that the provider cannot search more than was reserved.
   */
  public static void bound(GatewayRequest.Endpoint endpoint, JsonObject body, long calls) {
    if (endpoint == GatewayRequest.Endpoint.RESPONSES) {
      if (!(body.getValue("max_tool_calls") instanceof Number)) {
        body.put("max_tool_calls", calls);
      }
      return;
    }
    if (endpoint == GatewayRequest.Endpoint.MESSAGES && body.getValue("tools") instanceof JsonArray tools) {
      for (Object o : tools) {
        if (o instanceof JsonObject tool && isAnthropicWebSearch(tool) && !(tool.getValue("max_uses") instanceof Number)) {
          tool.put("max_uses", calls);
        }
      }
    }
  }

  private static ProviderTools chat(JsonObject body) {
    for (Object o : tools(body)) {
      String type = o instanceof JsonObject tool && tool.getValue("type") instanceof String t ? t : "function";
      if (!type.equals("function") && !type.equals("custom")) {
        return unpriced(type, "tools");
      }
    }
    // OpenAI's search models search once before answering
    return body.getValue("web_search_options") != null ? new ProviderTools(null, "web_search_options", true, 1, 0) : NONE;
  }

  private static ProviderTools responses(JsonObject body) {
    boolean search = false;
    for (Object o : tools(body)) {
      JsonObject tool = o instanceof JsonObject t ? t : new JsonObject();
      String type = tool.getValue("type") instanceof String t ? t : "function"; // untyped: the provider refuses it
      if (type.startsWith("web_search")) {
        search = true; // web_search, web_search_preview and their dated versions
      } else if (!RESPONSES_CLIENT_TOOLS.contains(type) && !(type.equals("shell") && localShell(tool))) {
        return unpriced(type, "tools");
      }
    }
    if (!search) {
      return NONE;
    }
    // max_tool_calls bounds every built-in tool call of the response, and search is the only one allowed
    return body.getValue("max_tool_calls") instanceof Number n
        ? new ProviderTools(null, "tools", true, Math.min(MAX_SEARCHES, n.longValue()), 0)
        : new ProviderTools(null, "tools", true, 0, 1);
  }

  /** A {@code shell} tool the client runs: no environment, or a local one (a container is OpenAI's). */
  private static boolean localShell(JsonObject tool) {
    return !(tool.getValue("environment") instanceof JsonObject env) || "local".equals(env.getValue("type"));
  }

  private static ProviderTools messages(JsonObject body) {
    long declared = 0;
    int unbounded = 0;
    boolean search = false;
    for (Object o : tools(body)) {
      JsonObject tool = o instanceof JsonObject t ? t : new JsonObject();
      String type = tool.getValue("type") instanceof String t ? t : "custom";
      if (isAnthropicWebSearch(tool)) {
        search = true;
        if (tool.getValue("max_uses") instanceof Number n) {
          declared = Math.min(MAX_SEARCHES, declared + Math.min(MAX_SEARCHES, n.longValue()));
        } else {
          unbounded++;
        }
      } else if (!type.equals("custom") && !anthropicClientTool(type)) {
        return unpriced(type, "tools");
      }
    }
    if (body.getValue("mcp_servers") instanceof JsonArray servers && !servers.isEmpty()) {
      return unpriced("mcp_servers", "mcp_servers"); // the MCP connector: Anthropic calls the servers' tools
    }
    return search ? new ProviderTools(null, "tools", true, declared, unbounded) : NONE;
  }

  private static ProviderTools gemini(JsonObject body) {
    for (Object o : tools(body)) {
      if (o instanceof JsonObject tool) {
        for (String field : tool.fieldNames()) {
          if (!GEMINI_CLIENT_TOOLS.contains(field)) {
            return unpriced(field, "tools");
          }
        }
      }
    }
    return NONE;
  }

  private static boolean isAnthropicWebSearch(JsonObject tool) {
    return tool.getValue("type") instanceof String t && t.startsWith("web_search_");
  }

  private static boolean anthropicClientTool(String type) {
    for (String prefix : ANTHROPIC_CLIENT_TOOLS) {
      if (type.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static JsonArray tools(JsonObject body) {
    return body.getValue("tools") instanceof JsonArray a ? a : new JsonArray();
  }

  private static ProviderTools unpriced(String tool, String param) {
    return new ProviderTools(tool, param, false, 0, 0);
  }
}
