package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.Audio;
import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.FakeAzureOpenAi;
import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.OpenAiShapedRoutes;
import dev.tollgate.gateway.support.OpenAiShapedRoutes.Case;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OpenAI's audio API ({@code POST /v1/audio/speech}, {@code /v1/audio/transcriptions}, {@code
 * /v1/audio/translations}) through the whole chain against fake providers over real HTTP: passed
 * through with the target's model name (Azure at its deployment URL with {@code api-key}), the
 * upload forwarded byte for byte but for its model field, reserved at the dearest target (speech by
 * its characters, an upload by the longest its size allows at the minimum bitrate), billed per
 * character, per second or from the reported tokens at the serving target's prices, falling back on
 * a 429 or 5xx, refused before admission where no target prices audio, and 413 above the upload
 * limit (ADR 0054).
 */
class AudioApiTest {

  /** A small upload limit, so that the 413 needs no 26 MiB body. */
  static final long LIMIT = 64 * 1024;

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone()
      .env("TOLLGATE_MAX_AUDIO_BODY_BYTES", Long.toString(LIMIT));
  @RegisterExtension static final FakeOpenAiCompatible SECONDARY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAzureOpenAi AZURE = new FakeAzureOpenAi(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAnthropic ANTHROPIC = new FakeAnthropic(Seed.UPSTREAM_KEY);

  static final TokenEstimator TOKENS = new TokenEstimator();
  static final String INPUT = "Hello world";
  static final String BOUNDARY = "----tollgate-test-boundary";
  /** 10,000 bytes of "audio" (with CRLFs and dashes that are not the boundary): at 8 kbit/s at least, at most 10 s. */
  static final byte[] FILE = ("RIFF\r\n--not-the-boundary\r\n" + "a".repeat(10_000 - 26)).getBytes(StandardCharsets.US_ASCII);

  /** tts-1: $15 per million characters. */
  static RoutePlan.Target tts(String provider, int priority) {
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 0, 0, 0)
        .withAudioPricing(new RoutePlan.AudioPricing(15_000_000L, null, null, null, null, null));
  }

  /** gpt-4o-mini-tts: $0.60 text input, $12 audio output per million; 20 audio tokens per character at most. */
  static RoutePlan.Target miniTts(String provider, int priority) {
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 600_000, 12_000_000, 0)
        .withAudioPricing(new RoutePlan.AudioPricing(null, null, null, null, null, 20L));
  }

  /** whisper-1: $0.006 a minute at the primary, $0.012 at the secondary. */
  static RoutePlan.Target whisper(String provider, int priority) {
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 0, 0, 0)
        .withAudioPricing(new RoutePlan.AudioPricing(null, provider.equals("secondary") ? 12_000L : 6_000L, null, null, null, null));
  }

  /** gpt-4o-transcribe: $2.50 text, $6 audio input, $10 output per million; 1,500 audio and 1,000 output tokens a minute at most. */
  static RoutePlan.Target transcribe(String provider, int priority) {
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 2_500_000, 10_000_000, 0)
        .withAudioPricing(new RoutePlan.AudioPricing(null, null, 6_000_000L, 1_500L, 1_000L, null));
  }

  /** A chat-priced target without audio prices. */
  static RoutePlan.Target unpriced(String provider, int priority) {
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 150_000, 600_000, 128_000);
  }

  static Seed openAi(BiFunction<String, Integer, RoutePlan.Target> target) {
    Seed seed = HARNESS.seed().tenant();
    return OpenAiShapedRoutes.route(seed, Map.of("p", seed.provider(HARNESS.fake().baseUrl())), List.of("p"), target);
  }

  static Seed twoTargets(BiFunction<String, Integer, RoutePlan.Target> target) {
    Seed seed = HARNESS.seed().tenant();
    return OpenAiShapedRoutes.route(seed, Map.of("primary", seed.provider(HARNESS.fake().baseUrl()),
        "secondary", seed.provider(SECONDARY.baseUrl())), List.of("primary", "secondary"), target);
  }

  static String speech(String extra) {
    return new JsonObject().put("model", Seed.MODEL).put("input", INPUT).put("voice", "alloy").encode().replace("}", extra + "}");
  }

  /** A multipart form: the text {@code fields} in order, then the file part. */
  static byte[] form(Map<String, String> fields, byte[] file) {
    return form(BOUNDARY, fields, file);
  }

  /** A multipart form delimited by {@code boundary}. */
  static byte[] form(String boundary, Map<String, String> fields, byte[] file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    fields.forEach((name, value) -> out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name
        + "\"\r\n\r\n" + value + "\r\n").getBytes(StandardCharsets.UTF_8)));
    if (file != null) {
      out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"meeting.wav\"\r\n"
          + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      out.writeBytes(file);
      out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  static Map<String, String> fields(String model, String... more) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("model", model);
    for (int i = 0; i < more.length; i += 2) {
      f.put(more[i], more[i + 1]);
    }
    return f;
  }

  static HttpResponse<String> upload(String path, String key, byte[] body) {
    return upload(path, key, "multipart/form-data; boundary=" + BOUNDARY, body);
  }

  static HttpResponse<String> upload(String path, String key, String contentType, byte[] body) {
    HttpRequest r = HttpRequest.newBuilder(URI.create(HARNESS.gateway().url(path))).timeout(Duration.ofSeconds(20))
        .header("content-type", contentType).header("authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    try {
      return TestGateway.HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<Case> providers(String operation) {
    return Stream.of(
        new Case("openai-compatible", HARNESS.fake(), "openai-compatible", null, "/v1/audio/" + operation, null),
        new Case("azure-openai deployment", AZURE, "azure-openai", null, "/openai/deployments/up-p/audio/" + operation, "2024-10-21"),
        new Case("azure-openai v1", AZURE, "azure-openai", "v1", "/openai/v1/audio/" + operation, null));
  }

  static Stream<Case> speechProviders() {
    return providers("speech");
  }

  static Stream<Case> transcriptionProviders() {
    return providers("transcriptions");
  }

  @ParameterizedTest
  @MethodSource("speechProviders")
  void speechIsPassedThroughAsAudioAndBilledPerCharacter(Case c) {
    Seed seed = HARNESS.seed().tenant();
    OpenAiShapedRoutes.route(seed, Map.of("p", seed.provider(c.type(), c.fake().baseUrl(), c.apiVersion())), List.of("p"),
        AudioApiTest::tts);

    HttpResponse<String> r = HARNESS.gateway().post(Audio.SPEECH, seed.key("k"), speech(",\"response_format\":\"mp3\",\"speed\":1.25"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("audio/mpeg");
    assertThat(r.body()).isEqualTo(Audio.MP3);
    // 11 characters at $15 per million
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("165");
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("p");
    assertThat(r.headers().firstValue("x-tollgate-model")).contains("up-p");
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    JsonObject sent = OpenAiShapedRoutes.calledAt(c, c.fake().lastRequest());
    assertThat(sent.getString("model")).isEqualTo(c.path().contains("/deployments/") ? null : "up-p");
    assertThat(sent.getString("input")).isEqualTo(INPUT);
    assertThat(sent.getString("voice")).isEqualTo("alloy");
    assertThat(sent.getDouble("speed")).isEqualTo(1.25);

    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "audio.speech").containsEntry("status", "200").containsEntry("servedModel", "up-p")
        .containsEntry("audioCharacters", "11").containsEntry("audioSeconds", "0")
        .containsEntry("audioCharacterPriceMicrosPerMillion", "15000000").containsEntry("audioMinutePriceMicros", "")
        .containsEntry("images", "").containsEntry("costMicros", "165").containsEntry("billedMicros", "165");
    assertSpent(seed, 165);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(HARNESS.gateway().get("/metrics", null).body())
        .containsPattern("tollgate_requests_total\\{endpoint=\"audio.speech\",[^}]*tenant=\"" + seed.tenant.id() + "\""));
  }

  /**
   * gpt-4o-mini-tts answers audio without usage: its text is billed as counted, its audio output at
   * the target's ceiling of 20 tokens per character (ADR 0054).
   */
  @Test
  void tokenPricedSpeechIsBilledForItsTextAndTheAudioCeilingPerCharacter() {
    Seed seed = openAi(AudioApiTest::miniTts);
    String instructions = "Speak cheerfully.";

    HttpResponse<String> r = HARNESS.gateway().post(Audio.SPEECH, seed.key("k"), speech(",\"instructions\":\"" + instructions + "\""));

    long text = TOKENS.count(INPUT) + TOKENS.count(instructions);
    long expected = miniTts("p", 0).audioCostMicros(11, 0, text, 0, 220);
    assertThat(expected).isEqualTo(2_640 + (text * 600_000 + 999_999) / 1_000_000);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(expected));
    assertThat(HARNESS.fake().lastRequest().json().getString("instructions")).isEqualTo(instructions);
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("usageSource", "estimated")
        .containsEntry("tokensIn", Long.toString(text)).containsEntry("tokensOut", "220").containsEntry("audioCharacters", "11")
        .containsEntry("costMicros", Long.toString(expected));
    assertSpent(seed, expected);
  }

  @ParameterizedTest
  @MethodSource("transcriptionProviders")
  void anUploadIsForwardedAsReceivedButForItsModelAndBilledPerSecond(Case c) {
    Seed seed = HARNESS.seed().tenant();
    OpenAiShapedRoutes.route(seed, Map.of("p", seed.provider(c.type(), c.fake().baseUrl(), c.apiVersion())), List.of("p"),
        AudioApiTest::whisper);

    HttpResponse<String> r = upload(Audio.TRANSCRIPTIONS, seed.key("k"),
        form(fields(Seed.MODEL, "response_format", "json", "language", "en"), FILE));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body())).isEqualTo(Audio.duration(3.2));
    // 3.2 s billed as 4 s at $0.006 a minute
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("400");
    RecordedRequest up = c.fake().lastRequest();
    assertThat(up.path()).isEqualTo(c.path());
    assertThat(up.query("api-version")).isEqualTo(c.versionQuery());
    assertThat(up.header("content-type")).isEqualTo("multipart/form-data; boundary=" + BOUNDARY);
    assertThat(c.type().equals("azure-openai") ? up.header("api-key") : up.header("authorization"))
        .isEqualTo(c.type().equals("azure-openai") ? Seed.UPSTREAM_KEY : "Bearer " + Seed.UPSTREAM_KEY);
    assertThat(up.body()).isEqualTo(new String(form(fields("up-p", "response_format", "json", "language", "en"), FILE),
        StandardCharsets.UTF_8));

    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "audio.transcriptions").containsEntry("usageSource", "provider")
        .containsEntry("audioSeconds", "4").containsEntry("audioMinutePriceMicros", "6000").containsEntry("audioCharacters", "0")
        .containsEntry("costMicros", "400");
    assertSpent(seed, 400);
  }

  /**
   * verbose_json's {@code duration} bills what it says; an answer that reports no duration ({@code
   * text} asked of "up-p", a model of no family the gateway knows, so asked as it is) bills the
   * reservation's bound: 10,000 bytes at 8 kbit/s at least, 10 s.
   */
  @Test
  void aVerboseDurationIsBilledAndAnUnreportedOneCostsTheBound() {
    Seed seed = openAi(AudioApiTest::whisper);
    HARNESS.fake().enqueue(Reply.json(200, Audio.verbose(61.2)), Reply.text(200, "text/plain; charset=utf-8", Audio.TEXT));

    HttpResponse<String> verbose = upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL, "response_format", "verbose_json"), FILE));
    HttpResponse<String> text = upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL, "response_format", "text"), FILE));

    assertThat(verbose.headers().firstValue("x-tollgate-cost-micros")).as(verbose.body()).contains("6200");
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.body()).isEqualTo(Audio.TEXT);
    assertThat(text.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
    assertThat(text.headers().firstValue("x-tollgate-cost-micros")).contains("1000");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("audioSeconds", "62").containsEntry("usageSource", "provider");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 2)).containsEntry("audioSeconds", "10").containsEntry("usageSource", "estimated");
    assertSpent(seed, 7_200);
  }

  /** whisper-1's verbose_json of 61.2 s in two segments, the first with an arrow in its text. */
  static final JsonObject SEGMENTED = Audio.verbose(61.2).put("segments", new JsonArray()
      .add(new JsonObject().put("id", 0).put("start", 0.0).put("end", 3.84).put("text", " Imagine the wildest idea --> ever."))
      .add(new JsonObject().put("id", 1).put("start", 3.84).put("end", 61.2).put("text", " And you're curious.")));

  static Stream<Arguments> renderedFormats() {
    return Stream.of(
        Arguments.of("text", Audio.TEXT + "\n"),
        Arguments.of("srt", "1\n00:00:00,000 --> 00:00:03,840\nImagine the wildest idea -> ever.\n\n"
            + "2\n00:00:03,840 --> 00:01:01,200\nAnd you're curious.\n\n"),
        Arguments.of("vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:03.840\nImagine the wildest idea -> ever.\n\n"
            + "00:00:03.840 --> 00:01:01.200\nAnd you're curious.\n\n"));
  }

  /**
   * A whisper model asked for text, srt or vtt is asked for verbose_json instead; the client gets its
   * own format rendered from it, billed the reported 61.2 s (62 s at $0.006 a minute), not the bound.
   */
  @ParameterizedTest
  @MethodSource("renderedFormats")
  void aTextSrtOrVttTranscriptIsRenderedFromVerboseJsonAndBilledItsDuration(String format, String expected) {
    Seed seed = openAi((p, i) -> whisper(p, i).withModel("whisper-1"));
    HARNESS.fake().enqueue(Reply.json(200, SEGMENTED));

    HttpResponse<String> r = upload(Audio.TRANSCRIPTIONS, seed.key("k"),
        form(fields(Seed.MODEL, "response_format", format, "language", "en"), FILE));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(expected);
    assertThat(r.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("6200");
    assertThat(HARNESS.fake().lastRequest().body()).isEqualTo(new String(
        form(fields("whisper-1", "response_format", "verbose_json", "language", "en"), FILE), StandardCharsets.UTF_8));
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("usageSource", "provider")
        .containsEntry("audioSeconds", "62").containsEntry("costMicros", "6200");
    assertSpent(seed, 6_200);
  }

  /**
   * gpt-4o-transcribe takes json and text only: text is asked as json and billed its reported tokens
   * (549 micros); srt, which it does not take, goes as asked, for the provider to refuse.
   */
  @Test
  void aGpt4oTranscribeTextIsAskedAsJsonAndBilledItsTokens() {
    Seed seed = openAi((p, i) -> transcribe(p, i).withModel("gpt-4o-transcribe"));
    HARNESS.fake().enqueue(Reply.json(200, Audio.tokens(14, 6, 45)),
        Reply.json(400, FakeOpenAiCompatible.error("srt is not supported", "invalid_request_error", "response_format")));

    HttpResponse<String> r = upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL, "response_format", "text"), FILE));
    String askedText = HARNESS.fake().lastRequest().body();
    HttpResponse<String> srt = upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL, "response_format", "srt"), FILE));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(Audio.TEXT + "\n");
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("549");
    assertThat(askedText).isEqualTo(new String(form(fields("gpt-4o-transcribe", "response_format", "json"), FILE), StandardCharsets.UTF_8));
    assertThat(srt.statusCode()).isEqualTo(400);
    assertThat(HARNESS.fake().lastRequest().body()).contains("\r\n\r\nsrt\r\n");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("usageSource", "provider").containsEntry("costMicros", "549");
  }

  /** The primary fails; the secondary, also asked for verbose_json, serves the srt at its own $0.012 a minute. */
  @Test
  void aRenderedTranscriptFallsBackAndIsBilledAtTheServingTarget() {
    HARNESS.fake().always(Reply.json(500, FakeOpenAiCompatible.error("boom", "server_error", null)));
    SECONDARY.enqueue(Reply.json(200, SEGMENTED));
    Seed seed = twoTargets((p, i) -> whisper(p, i).withModel("whisper-1"));

    HttpResponse<String> r = upload(Audio.TRANSLATIONS, seed.key("k"), form(fields(Seed.MODEL, "response_format", "srt"), FILE));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).startsWith("1\n00:00:00,000 --> 00:00:03,840\n");
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("secondary");
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("12400");
    assertThat(SECONDARY.lastRequest().body()).isEqualTo(new String(
        form(fields("whisper-1", "response_format", "verbose_json"), FILE), StandardCharsets.UTF_8));
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("provider", "secondary")
        .containsEntry("attempts", "2").containsEntry("costMicros", "12400");
    assertSpent(seed, 12_400);
  }

  /** 14 audio tokens at $6 + 6 text tokens at $2.50 = 99 micros; 45 output tokens at $10 = 450. */
  @Test
  void aTokenPricedTranscriptionIsBilledFromItsReportedTokens() {
    Seed seed = openAi(AudioApiTest::transcribe);
    HARNESS.fake().enqueue(Reply.json(200, Audio.tokens(14, 6, 45)));

    HttpResponse<String> r = upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL, "prompt", "Tollgate, Redis"), FILE));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("549");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("usageSource", "provider")
        .containsEntry("tokensIn", "20").containsEntry("tokensInAudio", "14").containsEntry("tokensOut", "45")
        .containsEntry("audioInputPriceMicrosPerMillion", "6000000").containsEntry("audioSeconds", "0").containsEntry("costMicros", "549");
    assertSpent(seed, 549);
  }

  @Test
  void aTranslationGoesToTheTranslationsEndpoint() {
    Seed seed = openAi(AudioApiTest::whisper);
    HttpResponse<String> r = upload(Audio.TRANSLATIONS, seed.key("k"), form(fields(Seed.MODEL), FILE));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(HARNESS.fake().lastRequest().path()).isEqualTo(Audio.TRANSLATIONS);
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "audio.translations")
        .containsEntry("costMicros", "400");
  }

  /**
   * The upload's bound is 10 s: at the secondary's $0.012 a minute, 2,000 micros are reserved, over
   * a cap of 1,999 although the primary would charge less; nothing is called.
   */
  @Test
  void theBoundAtTheDearestTargetIsReservedAndACapShortAnswers402WithNothingCalled() {
    Seed seed = twoTargets(AudioApiTest::whisper).cap("small", "Tenant", null, "Reject", Period.Month, 1_999);

    HttpResponse<String> r = upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL), FILE));
    HttpResponse<String> s = HARNESS.gateway().post(Audio.SPEECH, openAi(AudioApiTest::tts)
        .cap("tiny", "Tenant", null, "Reject", Period.Month, 164).key("k"), speech(""));

    assertThat(refused(r, 402, "spend_cap_exceeded").getString("cap")).isEqualTo("small");
    assertThat(refused(s, 402, "spend_cap_exceeded").getString("cap")).isEqualTo("tiny");
    assertThat(HARNESS.fake().requests()).isEmpty();
    assertThat(SECONDARY.requests()).isEmpty();
  }

  @Test
  void aFailingPrimaryFallsBackAndTheSecondaryBillsAtItsOwnPrice() {
    HARNESS.fake().always(Reply.json(429, FakeOpenAiCompatible.error("slow down", "rate_limit_error", null)));
    Seed seed = twoTargets(AudioApiTest::whisper);

    HttpResponse<String> r = upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL), FILE));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("secondary");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    // 4 s at $0.012 a minute
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("800");
    assertThat(SECONDARY.lastRequest().body()).isEqualTo(new String(form(fields("up-secondary"), FILE), StandardCharsets.UTF_8));
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("provider", "secondary").containsEntry("attempts", "2")
        .containsEntry("audioMinutePriceMicros", "12000").containsEntry("costMicros", "800");
    assertSpent(seed, 800);

    HARNESS.fake().always(Reply.json(500, FakeOpenAiCompatible.error("boom", "server_error", null)));
    Seed speech = twoTargets(AudioApiTest::tts);
    HttpResponse<String> s = HARNESS.gateway().post(Audio.SPEECH, speech.key("k"), speech(""));
    assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
    assertThat(s.headers().firstValue("x-tollgate-provider")).contains("secondary");
    assertThat(s.body()).isEqualTo(Audio.MP3);
  }

  @Test
  void aRouteWithoutAnAudioPriceIsRefusedBeforeAdmission() {
    Seed seed = openAi(AudioApiTest::unpriced);
    Seed speechOnly = openAi(AudioApiTest::tts);

    JsonObject speech = refused(HARNESS.gateway().post(Audio.SPEECH, seed.key("k"), speech("")), 400, "audio_not_priced");
    JsonObject upload = refused(upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL), FILE)), 400, "audio_not_priced");
    refused(upload(Audio.TRANSCRIPTIONS, speechOnly.key("k"), form(fields(Seed.MODEL), FILE)), 400, "audio_not_priced");

    assertThat(speech.getString("param")).isEqualTo("model");
    assertThat(upload.getString("message")).contains(Seed.MODEL);
    assertThat(HARNESS.fake().requests()).isEmpty();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();
    assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", Period.Day.key(Instant.now())))).isEmpty();
  }

  @Test
  void anUploadAboveTheLimitAnswers413WithNothingCalled() {
    Seed seed = openAi(AudioApiTest::whisper);
    HttpResponse<String> r = upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL), new byte[(int) LIMIT]));
    assertThat(refused(r, 413, "request_too_large").getString("message")).contains(Long.toString(LIMIT));
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  @Test
  void streamsAreRefusedWithTheirOwnCode() {
    Seed seed = openAi(AudioApiTest::whisper);
    JsonObject upload = refused(upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL, "stream", "true"), FILE)),
        400, "audio_stream_not_supported");
    JsonObject speech = refused(HARNESS.gateway().post(Audio.SPEECH, openAi(AudioApiTest::tts).key("k"),
        speech(",\"stream_format\":\"sse\"")), 400, "audio_stream_not_supported");
    assertThat(upload.getString("param")).isEqualTo("stream");
    assertThat(speech.getString("param")).isEqualTo("stream_format");
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  @Test
  void badUploadsAnswer400() {
    Seed seed = openAi(AudioApiTest::whisper);
    OpenAiShapedRoutes.invalid(upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL), null)), "file");
    OpenAiShapedRoutes.invalid(upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(Map.of("language", "en"), FILE)), "model");
    OpenAiShapedRoutes.invalid(upload(Audio.TRANSCRIPTIONS, seed.key("k"), "not a form".getBytes(StandardCharsets.UTF_8)), null);
    OpenAiShapedRoutes.invalid(HARNESS.gateway().post(Audio.TRANSCRIPTIONS, seed.key("k"), "{}"), null);
    OpenAiShapedRoutes.invalid(HARNESS.gateway().post(Audio.SPEECH, openAi(AudioApiTest::tts).key("k"),
        "{\"model\":\"" + Seed.MODEL + "\",\"voice\":\"alloy\"}"), "input");
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  /** {@code form(fields, file)} with the field named {@code x} renamed {@code name}: a repeated part. */
  static byte[] repeated(Map<String, String> fields, String name) {
    return new String(form(fields, FILE), StandardCharsets.ISO_8859_1).replace("name=\"x\"", "name=\"" + name + "\"")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A form of more parts than any audio form has (a body of thousands costs parsing) is refused, nothing reserved or called. */
  @Test
  void aFormOfTooManyPartsIsRefused() {
    Seed seed = openAi(AudioApiTest::whisper);
    Map<String, String> many = fields(Seed.MODEL);
    for (int i = 0; i < 150; i++) {
      many.put("p" + i + "[]", "v");
    }

    HttpResponse<String> r = upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(many, FILE));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("message")).contains("at most 100 parts");
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  /**
   * A second {@code model} part is refused: the gateway authorized and rewrote the first, and a
   * provider that reads the last would have served the unauthorized model; so is a second {@code
   * file} (a small first file bounded the reservation of a large second one) or {@code
   * response_format}. OpenAI's array fields ({@code timestamp_granularities[]}) repeat as they may.
   */
  @Test
  void aRepeatedFormFieldIsRefusedNotSmuggledUpstream() {
    Seed seed = openAi(AudioApiTest::whisper);

    OpenAiShapedRoutes.invalid(upload(Audio.TRANSCRIPTIONS, seed.key("k"),
        repeated(fields(Seed.MODEL, "x", "gpt-4o-transcribe"), "model")), "model");
    OpenAiShapedRoutes.invalid(upload(Audio.TRANSCRIPTIONS, seed.key("k"),
        repeated(fields(Seed.MODEL, "response_format", "json", "x", "text"), "response_format")), "response_format");
    byte[] twoFiles = form(fields(Seed.MODEL), FILE);
    byte[] fileAgain = form(Map.of(), FILE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(twoFiles, 0, twoFiles.length - (BOUNDARY.length() + 6)); // without the closing delimiter
    out.writeBytes(fileAgain);
    OpenAiShapedRoutes.invalid(upload(Audio.TRANSCRIPTIONS, seed.key("k"), out.toByteArray()), "file");
    assertThat(HARNESS.fake().requests()).isEmpty();

    HttpResponse<String> granular = upload(Audio.TRANSCRIPTIONS, seed.key("k"), repeated(fields(Seed.MODEL,
        "response_format", "verbose_json", "timestamp_granularities[]", "word", "x", "segment"), "timestamp_granularities[]"));
    assertThat(granular.statusCode()).as(granular.body()).isEqualTo(200);
  }

  /**
   * The gateway reads a form as the provider does, or refuses it: a content type whose {@code
   * boundary} parameter follows an {@code x-boundary} one was read by the gateway at the first (a
   * form with the authorized model) while the provider read the second (another model); a
   * delimiter followed by more than padding, and a part with two names, were parts to the gateway
   * and none, or another one, to the provider.
   */
  @Test
  void aFormIsReadAtItsBoundaryParameterAndAmbiguousOnesAreRefused() {
    Seed seed = openAi(AudioApiTest::whisper);
    ByteArrayOutputStream two = new ByteArrayOutputStream();
    two.writeBytes(form("AAA", fields(Seed.MODEL), FILE));
    two.writeBytes(form("BBB", fields("gpt-4o-transcribe"), FILE));
    HttpResponse<String> smuggled = upload(Audio.TRANSCRIPTIONS, seed.key("k"),
        "multipart/form-data; x-boundary=AAA; boundary=BBB", two.toByteArray());
    assertThat(refused(smuggled, 404, "model_not_found").getString("message")).contains("gpt-4o-transcribe");

    String hidden = new String(form(fields(Seed.MODEL, "language", "en"), FILE), StandardCharsets.ISO_8859_1)
        .replace("en\r\n", "en\r\n--" + BOUNDARY + "Z\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nhi\r\n");
    OpenAiShapedRoutes.invalid(upload(Audio.TRANSCRIPTIONS, seed.key("k"), hidden.getBytes(StandardCharsets.ISO_8859_1)), null);
    String twoNames = new String(form(fields(Seed.MODEL, "x", "gpt-4o-transcribe"), FILE), StandardCharsets.ISO_8859_1)
        .replace("name=\"x\"", "name=\"x\"; name=\"model\"");
    OpenAiShapedRoutes.invalid(upload(Audio.TRANSCRIPTIONS, seed.key("k"), twoNames.getBytes(StandardCharsets.ISO_8859_1)), null);
    OpenAiShapedRoutes.invalid(upload(Audio.TRANSCRIPTIONS, seed.key("k"), "multipart/form-data; boundary=\"a\\\"b\"",
        form(fields(Seed.MODEL), FILE)), null);
    assertThat(HARNESS.fake().requests()).isEmpty();

    // a quoted boundary and padding after a delimiter are well-formed
    HttpResponse<String> quoted = upload(Audio.TRANSCRIPTIONS, seed.key("k"), "multipart/form-data; charset=utf-8; boundary=\"q:b\"",
        new String(form("q:b", fields(Seed.MODEL), FILE), StandardCharsets.ISO_8859_1).replace("--q:b\r\n", "--q:b \t\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    assertThat(quoted.statusCode()).as(quoted.body()).isEqualTo(200);
  }

  @Test
  void aRouteWithOnlyAnAnthropicTargetAnswersEndpointNotSupported() {
    Seed seed = HARNESS.seed().tenant();
    OpenAiShapedRoutes.route(seed, Map.of("claude", seed.provider("anthropic", ANTHROPIC.baseUrl(), null)), List.of("claude"),
        AudioApiTest::whisper);
    JsonObject e = refused(upload(Audio.TRANSCRIPTIONS, seed.key("k"), form(fields(Seed.MODEL), FILE)), 400, "endpoint_not_supported");
    assertThat(e.getString("message")).contains("Audio");
    assertThat(ANTHROPIC.requests()).isEmpty();
  }

  static JsonObject refused(HttpResponse<String> r, int status, String code) {
    return ImagesApiTest.refused(r, status, code);
  }

  static void assertSpent(Seed seed, long micros) {
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", Long.toString(micros)).containsEntry("reserved", "0"));
  }
}
