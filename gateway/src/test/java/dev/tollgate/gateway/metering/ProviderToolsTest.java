package dev.tollgate.gateway.metering;

import static dev.tollgate.gateway.http.GatewayRequest.Endpoint.CHAT;
import static dev.tollgate.gateway.http.GatewayRequest.Endpoint.COUNT_TOKENS;
import static dev.tollgate.gateway.http.GatewayRequest.Endpoint.MESSAGES;
import static dev.tollgate.gateway.http.GatewayRequest.Endpoint.RESPONSES;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.http.GatewayRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Which tools of a request the provider runs itself, as each API defines them, and their search bounds. */
class ProviderToolsTest {

  static ProviderTools of(GatewayRequest.Endpoint endpoint, String tools) {
    return ProviderTools.of(endpoint, new JsonObject("{\"model\":\"m\",\"tools\":" + tools + "}"));
  }

  @Test
  void toolsTheClientRunsAreNotProviderRun() {
    assertThat(of(CHAT, "[{\"type\":\"function\",\"function\":{\"name\":\"f\"}},{\"type\":\"custom\",\"custom\":{\"name\":\"c\"}}]"))
        .isEqualTo(ProviderTools.NONE);
    assertThat(of(MESSAGES, "[{\"name\":\"f\",\"input_schema\":{}},{\"type\":\"custom\",\"name\":\"c\"},"
        + "{\"type\":\"bash_20250124\",\"name\":\"bash\"},{\"type\":\"text_editor_20250728\",\"name\":\"str_replace_based_edit_tool\"},"
        + "{\"type\":\"computer_20250124\",\"name\":\"computer\"},{\"type\":\"memory_20250818\",\"name\":\"memory\"}]"))
        .isEqualTo(ProviderTools.NONE);
    assertThat(of(RESPONSES, "[{\"type\":\"function\",\"name\":\"f\"},{\"type\":\"custom\",\"name\":\"c\"},"
        + "{\"type\":\"computer_use_preview\"},{\"type\":\"local_shell\"},{\"type\":\"apply_patch\"},{\"type\":\"shell\"},"
        + "{\"type\":\"shell\",\"environment\":{\"type\":\"local\"}}]"))
        .isEqualTo(ProviderTools.NONE);
  }

  @Test
  void everyOtherProviderRunToolIsUnpricedAndNamed() {
    assertThat(of(MESSAGES, "[{\"name\":\"f\"},{\"type\":\"web_fetch_20250910\",\"name\":\"web_fetch\"}]").unpriced())
        .isEqualTo("web_fetch_20250910");
    assertThat(of(MESSAGES, "[{\"type\":\"code_execution_20250825\",\"name\":\"code_execution\"}]").unpriced())
        .isEqualTo("code_execution_20250825");
    assertThat(of(MESSAGES, "[{\"type\":\"tool_search_tool_regex_20251119\",\"name\":\"t\"}]").unpriced())
        .as("a server tool type the gateway does not know").isEqualTo("tool_search_tool_regex_20251119");
    ProviderTools mcp = ProviderTools.of(MESSAGES, new JsonObject("{\"mcp_servers\":[{\"type\":\"url\",\"url\":\"u\",\"name\":\"n\"}]}"));
    assertThat(mcp.unpriced()).isEqualTo("mcp_servers");
    assertThat(mcp.param()).isEqualTo("mcp_servers");
    for (String type : new String[] {"file_search", "code_interpreter", "image_generation", "mcp", "tool_search"}) {
      assertThat(of(RESPONSES, "[{\"type\":\"" + type + "\"}]").unpriced()).isEqualTo(type);
    }
    assertThat(of(RESPONSES, "[{\"type\":\"shell\",\"environment\":{\"type\":\"container_auto\"}}]").unpriced())
        .as("a hosted shell runs in OpenAI's containers").isEqualTo("shell");
    assertThat(of(RESPONSES, "[{\"type\":\"web_search\"},{\"type\":\"file_search\"}]").unpriced())
        .as("priced search beside an unpriced tool").isEqualTo("file_search");
    assertThat(of(CHAT, "[{\"type\":\"google_search\"}]").unpriced()).isEqualTo("google_search");
    assertThat(of(CHAT, "[{\"type\":\"openrouter:web_search\"}]").param()).isEqualTo("tools");
  }

  @Test
  void webSearchIsBoundedByWhatTheRequestSaysElseByTheDefault() {
    ProviderTools two = of(MESSAGES, "[{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":3},"
        + "{\"type\":\"web_search_20260209\",\"name\":\"web_search_2\"}]");
    assertThat(two).isEqualTo(new ProviderTools(null, "tools", true, 3, 1));
    assertThat(two.searchCeiling(10)).isEqualTo(13);
    ProviderTools responses = ProviderTools.of(RESPONSES,
        new JsonObject("{\"tools\":[{\"type\":\"web_search_preview\"},{\"type\":\"web_search\"}],\"max_tool_calls\":4}"));
    assertThat(responses).isEqualTo(new ProviderTools(null, "tools", true, 4, 0));
    assertThat(of(RESPONSES, "[{\"type\":\"web_search_2025_08_26\"}]").searchCeiling(10)).isEqualTo(10);
    ProviderTools chat = ProviderTools.of(CHAT, new JsonObject("{\"web_search_options\":{}}"));
    assertThat(chat).isEqualTo(new ProviderTools(null, "web_search_options", true, 1, 0));
    assertThat(ProviderTools.of(MESSAGES, new JsonObject("{\"tools\":[{\"type\":\"web_search_20250305\",\"max_uses\":"
        + Long.MAX_VALUE + "},{\"type\":\"web_search_20250305\",\"max_uses\":" + Long.MAX_VALUE + "}]}")).searchCeiling(10))
        .as("absurd bounds are refused by the caps, not by overflowing").isEqualTo(ProviderTools.MAX_SEARCHES);
    assertThat(of(COUNT_TOKENS, "[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]"))
        .as("a token count runs nothing").isEqualTo(ProviderTools.NONE);
  }

  @Test
  void theDefaultBoundIsWrittenWhereTheRequestLeftNone() {
    JsonObject messages = new JsonObject("{\"tools\":[{\"type\":\"web_search_20250305\",\"max_uses\":2},"
        + "{\"type\":\"web_search_20250305\"},{\"name\":\"f\"}]}");
    ProviderTools.bound(MESSAGES, messages, 10);
    assertThat(messages.encode()).isEqualTo("{\"tools\":[{\"type\":\"web_search_20250305\",\"max_uses\":2},"
        + "{\"type\":\"web_search_20250305\",\"max_uses\":10},{\"name\":\"f\"}]}");
    JsonObject responses = new JsonObject("{\"tools\":[{\"type\":\"web_search\"}]}");
    ProviderTools.bound(RESPONSES, responses, 10);
    assertThat(responses.getLong("max_tool_calls")).isEqualTo(10);
  }
}
