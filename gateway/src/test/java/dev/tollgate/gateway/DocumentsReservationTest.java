package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A prompt holding a document the gateway cannot count (a file by id or URL, a PDF; ADR 0055) is
 * reserved at the serving targets' context window, not at the tokenizer's fixed guess for a part, so
 * a Reject cap holds against what the provider may bill; a route with no context window to bound it
 * refuses it before admission. Chat and the Responses API to an OpenAI-compatible fake, the Messages
 * API to an Anthropic one.
 */
class DocumentsReservationTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeAnthropic ANTHROPIC = new FakeAnthropic(Seed.UPSTREAM_KEY);

  static final String PDF = "JVBERi0xLjQK"; // "%PDF-1.4", base64

  /** Bodies per endpoint: each holds one document the tokenizer cannot count. */
  static String body(String path) {
    return switch (path) {
      case "/v1/chat/completions" -> "{\"model\":\"" + Seed.MODEL + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":["
          + "{\"type\":\"text\",\"text\":\"Summarize\"},{\"type\":\"file\",\"file\":{\"filename\":\"a.pdf\",\"file_data\":\"data:application/pdf;base64," + PDF + "\"}}]}]}";
      case "/v1/responses" -> "{\"model\":\"" + Seed.MODEL + "\",\"max_output_tokens\":10,\"store\":false,\"input\":[{\"role\":\"user\",\"content\":["
          + "{\"type\":\"input_text\",\"text\":\"Summarize\"},{\"type\":\"input_file\",\"file_url\":\"https://example.com/report.pdf\"}]}]}";
      default -> "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":["
          + "{\"type\":\"document\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/report.pdf\"}},{\"type\":\"text\",\"text\":\"Summarize\"}]}]}";
    };
  }

  /** One target at the fake for the path's model: $1 per million input tokens, a context window of {@code window}. */
  static Seed seed(String path, long window, long capMicros) {
    Seed seed = HARNESS.seed().tenant();
    boolean anthropic = path.equals("/v1/messages");
    RoutePlan.Provider provider = anthropic ? seed.provider("anthropic", ANTHROPIC.baseUrl(), null) : seed.provider(HARNESS.fake().baseUrl());
    return seed.plan(Map.of("p", provider), List.of(new RoutePlan.Route(anthropic ? "claude-haiku-4-5" : Seed.MODEL,
            List.of(new RoutePlan.Target("p", "up", 0, 1, 1_000_000, 1_000_000, window)), List.of())), null)
        .cap("small", "Tenant", null, "Reject", Period.Day, capMicros);
  }

  static int calls(String path) {
    return path.equals("/v1/messages") ? ANTHROPIC.requests().size() : HARNESS.fake().requests().size();
  }

  /** 100,000 tokens of window at $1 per million is 100,000 micros: a $0.05 cap refuses, a $0.20 one serves. */
  @ParameterizedTest
  @CsvSource({"/v1/chat/completions", "/v1/responses", "/v1/messages"})
  void aDocumentIsReservedAtTheContextWindowSoACapHoldsAgainstIt(String path) {
    Seed tight = seed(path, 100_000, 50_000);
    HttpResponse<String> refused = HARNESS.gateway().post(path, tight.key("k"), body(path));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(402);
    assertThat(calls(path)).isZero();

    Seed roomy = seed(path, 100_000, 200_000);
    HttpResponse<String> served = HARNESS.gateway().post(path, roomy.key("k"), body(path));
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    Map<String, String> record = UsageRecords.nth(HARNESS.redis(), roomy.tenant, 1);
    assertThat(Long.parseLong(record.get("reservedMicros"))).isGreaterThanOrEqualTo(100_000);
    assertThat(Long.parseLong(record.get("costMicros"))).isLessThan(1_000); // billed as the provider reported
  }

  @ParameterizedTest
  @CsvSource({"/v1/chat/completions", "/v1/responses", "/v1/messages"})
  void aRouteWithoutAContextWindowRefusesADocumentBeforeAdmission(String path) {
    Seed seed = seed(path, 0, 1_000_000_000);

    HttpResponse<String> r = HARNESS.gateway().post(path, seed.key("k"), body(path));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("document_not_bounded");
    assertThat(calls(path)).isZero();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();
  }

  @Test
  void aTextDocumentIsCountedAndNeedsNoWindow() {
    Seed seed = seed("/v1/messages", 0, 1_000_000_000);
    String text = body("/v1/messages").replace("{\"type\":\"url\",\"url\":\"https://example.com/report.pdf\"}",
        "{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":\"A short report.\"}");

    HttpResponse<String> r = HARNESS.gateway().post("/v1/messages", seed.key("k"), text);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("type")).isEqualTo("message");
  }
}
