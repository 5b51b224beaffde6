package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.RoutePlan;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What an unchanged OpenAI SDK makes of a routed stream: the normal end, and a cut one. */
class RoutingSdkTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeAnthropic ANTHROPIC = new FakeAnthropic(Seed.UPSTREAM_KEY);

  static OpenAIClient client() {
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("claude", seed.provider("anthropic", ANTHROPIC.baseUrl(), null)),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(
            new RoutePlan.Target("claude", "claude-haiku-4-5", 0, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 0)), List.of())),
        null);
    return OpenAIOkHttpClient.builder().baseUrl(HARNESS.gateway().url("/v1")).apiKey(seed.key("sdk")).maxRetries(0).build();
  }

  static final ChatCompletionCreateParams PARAMS =
      ChatCompletionCreateParams.builder().model(Seed.MODEL).addUserMessage("Say hello").maxCompletionTokens(50).build();

  @Test
  void aTranslatedStreamReadsToItsEnd() {
    try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(PARAMS)) {
      String text = stream.stream().flatMap(c -> c.choices().stream())
          .map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
      assertThat(text).isEqualTo(FakeAnthropic.DEFAULT_TEXT);
    }
  }

  @Test
  void aStreamCutMidwayRaisesInTheSdkAfterTheTextSoFar() {
    ANTHROPIC.enqueue(Reply.sse(FakeAnthropic.textEvents(List.of("one ", "two ", "three "), 10, 3, "end_turn")).cutAfter(5));
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(PARAMS)) {
      assertThatThrownBy(() -> stream.stream().flatMap(c -> c.choices().stream())
          .forEach(c -> text.append(c.delta().content().orElse(""))))
          .hasMessageContaining("broke off the stream");
    }
    assertThat(text.toString()).isEqualTo("one two ");
  }
}
