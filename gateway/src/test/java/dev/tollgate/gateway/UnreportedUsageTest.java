package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Responses;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Provider answers whose usage is missing or carries {@code null} figures (JSON allows it,
 * OpenAI-compatible servers have sent it): the client still gets its answer at once, and the request
 * is billed, a null figure taken as not reported and the gateway's own count of the answer (its text,
 * tool calls and reasoning) standing in. Before, reading a null figure threw outside the answer's
 * error handling: the client waited until it gave up and nothing was billed.
 */
class UnreportedUsageTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();

  static JsonObject nullUsage(JsonObject answer, String... fields) {
    JsonObject usage = answer.getJsonObject("usage");
    for (String f : fields) {
      usage.putNull(f);
    }
    return answer;
  }

  @Test
  void aChatAnswerWithNullTokenCountsIsAnsweredAndBilled() {
    HARNESS.fake().enqueue(Reply.json(200, nullUsage(FakeOpenAiCompatible.completion(FakeOpenAiCompatible.DEFAULT_TEXT, 10, 5),
        "completion_tokens", "total_tokens")));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 50, false));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, String> record = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(record).containsEntry("status", "200");
    assertThat(Long.parseLong(record.get("tokensOut"))).isPositive();
    assertThat(Long.parseLong(record.get("costMicros"))).isPositive();
  }

  @Test
  void aStreamWhoseUsageChunkHasANullCountEndsAndIsBilledForWhatItStreamed() {
    HARNESS.fake().enqueue(Reply.sse(FakeOpenAiCompatible.textEvents(List.of("Hello ", "there"), 10, 5, true).stream()
        .map(e -> e.replace("\"completion_tokens\":5", "\"completion_tokens\":null")).toList()));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 50, true));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("Hello ").endsWith("data: [DONE]\n\n");
    Map<String, String> record = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(record).containsEntry("status", "200").containsEntry("usageSource", "estimated");
    assertThat(Long.parseLong(record.get("tokensOut"))).isPositive();
  }

  /** Without usage, a reasoning model's thinking (billed as output by its server) is counted with the answer. */
  @Test
  void anAnswerWithoutUsageCountsTheReasoningItCarriesAsOutput() {
    String thinking = "Let me think about how to greet the benchmark properly and politely. ".repeat(20);
    JsonObject answer = FakeOpenAiCompatible.completion("Hi", 10, 5);
    answer.remove("usage");
    answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message").put("reasoning_content", thinking);
    HARNESS.fake().enqueue(Reply.json(200, answer));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 500, false));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("usageSource", "estimated")
        .containsEntry("tokensOut", Long.toString(new TokenEstimator().count("Hi") + new TokenEstimator().count(thinking)));
  }

  @Test
  void anEmbeddingsAnswerWithNullTokenCountsIsAnsweredAndBilled() {
    HARNESS.fake().enqueue(Reply.json(200, nullUsage(FakeOpenAiCompatible.embeddings("up", 7), "prompt_tokens", "total_tokens")));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());

    HttpResponse<String> r = HARNESS.gateway().post("/v1/embeddings", seed.key("k"),
        "{\"model\":\"text-embedding-3-small\",\"input\":\"hello world\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, String> record = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(Long.parseLong(record.get("tokensIn"))).isPositive();
  }

  @Test
  void aResponsesAnswerWithNullTokenCountsIsAnsweredAndBilled() {
    HARNESS.fake().enqueue(Reply.json(200, nullUsage(Responses.response("Hi", 10, 0, 5, 0), "output_tokens", "total_tokens")));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());

    HttpResponse<String> r = HARNESS.gateway().post("/v1/responses", seed.key("k"),
        "{\"model\":\"" + Seed.MODEL + "\",\"input\":\"Hello\",\"store\":false}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, String> record = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(Long.parseLong(record.get("tokensOut"))).isPositive();
  }
}
