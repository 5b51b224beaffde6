package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.core.http.HttpResponse;
import com.openai.models.audio.speech.SpeechCreateParams;
import com.openai.models.audio.transcriptions.TranscriptionCreateParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import com.openai.models.models.Model;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.tollgate.gateway.fake.Audio;
import dev.tollgate.gateway.fake.Completions;
import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Images;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Responses;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.RoutePlan;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The official OpenAI Java SDK, unchanged but for base URL and key, against the gateway. */
class OpenAiSdkTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();

  static OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder().baseUrl(HARNESS.gateway().url("/v1")).apiKey(key).maxRetries(0).build();
  }

  static ChatCompletionCreateParams params() {
    return ChatCompletionCreateParams.builder().model(Seed.MODEL).addUserMessage("Say hello").maxCompletionTokens(50).build();
  }

  @Test
  void completionsStreamingAndModels() {
    HARNESS.fake().enqueue(Reply.json(200, FakeOpenAiCompatible.completion(FakeOpenAiCompatible.DEFAULT_TEXT, 10, 5)),
        Reply.sse(FakeOpenAiCompatible.textEvents(List.of("word1 ", "word2 "), 10, 5, true)));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    OpenAIClient client = client(seed.key("sdk"));

    ChatCompletion completion = client.chat().completions().create(params());
    assertThat(completion.choices().get(0).message().content()).contains(FakeOpenAiCompatible.DEFAULT_TEXT);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(5);

    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params())) {
      String text = stream.stream()
          .flatMap(c -> c.choices().stream())
          .map(c -> c.delta().content().orElse(""))
          .collect(Collectors.joining());
      assertThat(text).isEqualTo("word1 word2 ");
    }

    List<String> models = client.models().list().data().stream().map(Model::id).toList();
    assertThat(models).contains(Seed.MODEL);
  }

  /** gpt-image-1 at $5 text input, $40 output: 10 prompt tokens and 4,160 output tokens are 50 + 166,400 micros. */
  @Test
  void imagesGenerateWorksUnchangedAndIsBilledFromItsUsage() {
    HARNESS.fake().enqueue(Reply.json(200, Images.gptImage(1, "1024x1024", "high", 10, 0, 4_160)));
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("fake", seed.provider(HARNESS.fake().baseUrl())), List.of(new RoutePlan.Route("gpt-image-1",
        List.of(new RoutePlan.Target("fake", "up-image", 0, 1, 5_000_000, 40_000_000, 0)
            .withImagePricing(new RoutePlan.ImagePricing(List.of(), 10_000_000L, 6_240L))), List.of())), null);

    ImagesResponse images = client(seed.key("sdk-images")).images().generate(ImageGenerateParams.builder()
        .model("gpt-image-1").prompt("A cute baby sea otter").n(1L).size(ImageGenerateParams.Size._1024X1024)
        .quality(ImageGenerateParams.Quality.HIGH).build());

    assertThat(images.data().orElseThrow().get(0).b64Json()).contains(Images.B64);
    assertThat(images.usage().orElseThrow().outputTokens()).isEqualTo(4_160);
    assertThat(HARNESS.fake().lastRequest().json().getString("model")).isEqualTo("up-image");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "images.generations")
        .containsEntry("images", "1").containsEntry("costMicros", "166450");
  }

  /**
   * tts-1 at $15 per million characters (11 characters: 165 micros); whisper-1 at $0.006 a minute,
   * the fake's 3.2 s billed as 4 s (400 micros). The SDK's own multipart upload goes through as sent.
   */
  @Test
  void audioSpeechAndTranscriptionsWorkUnchangedAndAreBilled() throws Exception {
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("fake", seed.provider(HARNESS.fake().baseUrl())), List.of(
        new RoutePlan.Route("tts-1", List.of(new RoutePlan.Target("fake", "up-tts", 0, 1, 0, 0, 0)
            .withAudioPricing(new RoutePlan.AudioPricing(15_000_000L, null, null, null, null, null))), List.of()),
        new RoutePlan.Route("whisper-1", List.of(new RoutePlan.Target("fake", "up-whisper", 0, 1, 0, 0, 0)
            .withAudioPricing(new RoutePlan.AudioPricing(null, 6_000L, null, null, null, null))), List.of())), null);
    var client = client(seed.key("sdk-audio"));

    try (HttpResponse speech = client.audio().speech().create(SpeechCreateParams.builder()
        .model("tts-1").input("Hello world").voice("alloy").build())) {
      assertThat(new String(speech.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(Audio.MP3);
    }
    String text = client.audio().transcriptions().create(TranscriptionCreateParams.builder()
        .model("whisper-1").file("RIFF-demo-audio".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).build())
        .asTranscription().text();

    assertThat(text).isEqualTo(Audio.TEXT);
    assertThat(HARNESS.fake().lastRequest().path()).isEqualTo(Audio.TRANSCRIPTIONS);
    assertThat(HARNESS.fake().lastRequest().body()).contains("up-whisper").contains("RIFF-demo-audio");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "audio.speech")
        .containsEntry("audioCharacters", "11").containsEntry("costMicros", "165");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 2)).containsEntry("endpoint", "audio.transcriptions")
        .containsEntry("audioSeconds", "4").containsEntry("costMicros", "400");
  }

  @Test
  void responsesCreateAndStreamWorkUnchanged() {
    HARNESS.fake().enqueue(Reply.json(200, Responses.response("Hello from responses", 12, 4, 6, 2)),
        Reply.sse(Responses.textEvents(List.of("word1 ", "word2 "), 12, 4, 6)));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    OpenAIClient client = client(seed.key("sdk-responses"));
    ResponseCreateParams params = ResponseCreateParams.builder().model(Seed.MODEL).instructions("Be brief.")
        .input("Say hello").maxOutputTokens(50).build();

    Response response = client.responses().create(params);
    String text = response.output().get(0).asMessage().content().get(0).asOutputText().text();
    assertThat(text).isEqualTo("Hello from responses");
    assertThat(response.model().toString()).contains(Seed.MODEL).doesNotContain(Responses.MODEL);
    assertThat(response.usage().orElseThrow().inputTokensDetails().cachedTokens()).isEqualTo(4);
    assertThat(HARNESS.fake().lastRequest().json().getString("model")).isEqualTo("upstream-mini");

    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
      List<ResponseStreamEvent> events = stream.stream().toList();
      String streamed = events.stream().flatMap(e -> e.outputTextDelta().stream()).map(d -> d.delta())
          .collect(Collectors.joining());
      assertThat(streamed).isEqualTo("word1 word2 ");
      assertThat(events.get(events.size() - 1).completed().orElseThrow().response().usage().orElseThrow().outputTokens())
          .isEqualTo(6);
    }
  }

  /** Legacy completions ({@code client.completions()}) as autocomplete clients call them; a cut stream raises. */
  @Test
  void legacyCompletionsCreateAndStreamWorkUnchangedAndACutStreamRaises() {
    HARNESS.fake().enqueue(Reply.json(200, Completions.completion(List.of("return a + b"), 12, 6)),
        Reply.sse(Completions.textEvents(List.of("return ", "a + b"), 12, 6, true)),
        Reply.sse(Completions.textEvents(List.of("return ", "a ", "+ ", "b"), 12, 6, true)).cutAfter(2));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    OpenAIClient client = client(seed.key("sdk-completions"));
    CompletionCreateParams params = CompletionCreateParams.builder().model(Seed.MODEL)
        .prompt("def add(a, b):\n    ").suffix("\n\nprint(add(1, 2))").maxTokens(16).build();

    Completion completion = client.completions().create(params);
    assertThat(completion.choices().get(0).text()).isEqualTo("return a + b");
    assertThat(completion.model()).isEqualTo(Seed.MODEL);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(6);
    assertThat(HARNESS.fake().lastRequest().json().getString("model")).isEqualTo("upstream-mini");

    try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
      String text = stream.stream().flatMap(c -> c.choices().stream()).map(c -> c.text()).collect(Collectors.joining());
      assertThat(text).isEqualTo("return a + b");
    }
    try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
      assertThatThrownBy(() -> stream.stream().toList()).isInstanceOf(OpenAIException.class)
          .hasMessageContaining("broke off the stream");
    }
  }

  /** A stream the upstream broke off raises in the SDK: it cannot be taken for a whole answer. */
  @Test
  void aCutResponsesStreamRaisesInTheSdk() {
    HARNESS.fake().enqueue(Reply.sse(Responses.textEvents(List.of("word1 ", "word2 ", "word3 "), 12, 0, 6)).cutAfter(5));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    ResponseCreateParams params = ResponseCreateParams.builder().model(Seed.MODEL).input("Say hello").build();

    try (StreamResponse<ResponseStreamEvent> stream = client(seed.key("sdk-cut")).responses().createStreaming(params)) {
      assertThatThrownBy(() -> stream.stream().toList()).isInstanceOf(OpenAIException.class)
          .hasMessageContaining("broke off the stream");
    }
  }

  @Test
  void errorsSurfaceAsTheSdksTypedExceptions() {
    HARNESS.fake().reportUsage(10, 5);
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    OpenAIClient client = client(seed.key("sdk-limited", 1, 0, List.of(), ApiKeyRecord.ACTIVE, 0));
    client.chat().completions().create(params());
    assertThatThrownBy(() -> client.chat().completions().create(params()))
        .isInstanceOf(RateLimitException.class)
        .hasMessageContaining("Rate limit reached: 1 requests per minute");
  }
}
