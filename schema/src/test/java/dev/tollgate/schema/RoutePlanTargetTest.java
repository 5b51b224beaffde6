package dev.tollgate.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoutePlanTargetTest {

  /** gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per million. */
  static final RoutePlan.Target MINI =
      new RoutePlan.Target("openai", "gpt-4o-mini", 0, 1, 150_000, 600_000, 128_000).withCachePrices(75_000L, null);
  /** claude-haiku-4-5: $1 input, $0.10 cache reads, $1.25 cache writes (5 min), $5 output. */
  static final RoutePlan.Target HAIKU =
      new RoutePlan.Target("anthropic", "claude-haiku-4-5", 0, 1, 1_000_000, 5_000_000, 200_000)
          .withCachePrices(100_000L, 1_250_000L);

  /** claude-haiku-4-5 with its 1-hour cache-write price: $2 per million (twice the input price). */
  static final RoutePlan.Target HAIKU_1H =
      new RoutePlan.Target("anthropic", "claude-haiku-4-5", 0, 1, 1_000_000, 5_000_000, 200_000)
          .withCachePrices(100_000L, 1_250_000L)
          .withCacheWriteLongPrice(2_000_000L);

  @Test
  void aTargetWithoutCachePricesEncodesAsBeforeAndOldPlansDecode() {
    RoutePlan.Target old = new RoutePlan.Target("p", "m", 1, 2, 150_000, 600_000, 128_000);
    String json = ConfigCodec.toJson(old);
    assertThat(json).isEqualTo("{\"provider\":\"p\",\"model\":\"m\",\"priority\":1,\"weight\":2,"
        + "\"inputMicrosPerMillion\":150000,\"outputMicrosPerMillion\":600000,\"contextWindow\":128000}");
    RoutePlan.Target decoded = ConfigCodec.fromJson(json, RoutePlan.Target.class);
    assertThat(decoded).isEqualTo(old);
    assertThat(decoded.cachedInputMicrosPerMillion()).isNull();
    assertThat(decoded.effectiveCachedInputMicrosPerMillion()).isEqualTo(150_000);
    assertThat(decoded.effectiveCacheWriteMicrosPerMillion()).isEqualTo(150_000);
    assertThat(decoded.effectiveCacheWriteLongMicrosPerMillion()).isEqualTo(150_000);
  }

  @Test
  void aLongCacheWritePriceIsLeftOutWhenUnsetAndRoundTripsWhenSet() {
    assertThat(ConfigCodec.toJson(HAIKU)).doesNotContain("cacheWriteLong");
    assertThat(HAIKU.cacheWriteLongMicrosPerMillion()).isNull();
    assertThat(HAIKU.effectiveCacheWriteLongMicrosPerMillion()).as("unset: the cache-write price").isEqualTo(1_250_000);
    String json = ConfigCodec.toJson(HAIKU_1H);
    assertThat(json).endsWith("\"cacheWriteMicrosPerMillion\":1250000,\"cacheWriteLongMicrosPerMillion\":2000000}");
    assertThat(ConfigCodec.fromJson(json, RoutePlan.Target.class)).isEqualTo(HAIKU_1H);
    RoutePlan.Target onlyLong = new RoutePlan.Target("p", "m", 0, 1, 1_000_000, 0, 0)
        .withCacheWriteLongPrice(2_000_000L);
    assertThat(onlyLong.effectiveCacheWriteMicrosPerMillion()).isEqualTo(1_000_000);
    assertThat(onlyLong.effectiveCacheWriteLongMicrosPerMillion()).isEqualTo(2_000_000);
    RoutePlan.Target free = new RoutePlan.Target("p", "m", 0, 1, 100, 100, 0)
        .withCachePrices(null, 100L)
        .withCacheWriteLongPrice(0L);
    assertThat(ConfigCodec.fromJson(ConfigCodec.toJson(free), RoutePlan.Target.class).effectiveCacheWriteLongMicrosPerMillion())
        .as("an explicit 0 is free, not unset").isZero();
  }

  @Test
  void longCacheWritesCostTheLongPriceAndTheRestOfTheWritesTheCacheWritePrice() {
    // 3,000 uncached at $1, 20,000 read at $0.10, 4,000 written of which 1,000 for an hour:
    // 3,000 + 2,000 + 3,000 x 1.25 + 1,000 x 2 = 3,000 + 2,000 + 3,750 + 2,000; 200 out at $5
    assertThat(HAIKU_1H.costMicros(27_000, 20_000, 4_000, 1_000, 200)).isEqualTo(3_000 + 2_000 + 3_750 + 2_000 + 1_000);
    assertThat(HAIKU_1H.costMicros(27_000, 20_000, 4_000, 200)).as("no long writes: as before")
        .isEqualTo(HAIKU.costMicros(27_000, 20_000, 4_000, 200)).isEqualTo(3_000 + 2_000 + 5_000 + 1_000);
    assertThat(HAIKU.costMicros(27_000, 20_000, 4_000, 1_000, 200))
        .as("no long price: every write at the cache-write price, as before")
        .isEqualTo(HAIKU.costMicros(27_000, 20_000, 4_000, 200));
  }

  @Test
  void longCacheWritesAreClampedToTheCacheWritesAndRoundedWithTheRestOfThePrompt() {
    assertThat(HAIKU_1H.costMicros(100, 0, 40, 90, 0)).as("at most the 40 writes are long").isEqualTo(60 + 80);
    assertThat(HAIKU_1H.costMicros(100, 80, 40, 40, 0)).as("20 writes fit beside 80 reads; all long").isEqualTo(8 + 40);
    assertThat(HAIKU_1H.costMicros(100, 0, 10, -5, 0)).as("a negative count is none").isEqualTo(90 + 13);
    // 1 long write (2 micros) + 1 short write (1.25) + 1 read (0.1): 3.35 micros, rounded up once to 4
    assertThat(HAIKU_1H.costMicros(3, 1, 2, 1, 0)).isEqualTo(4);
  }

  @Test
  void cachePricesRoundTripDeterministically() {
    String json = ConfigCodec.toJson(HAIKU);
    assertThat(json).endsWith("\"contextWindow\":200000,\"cachedInputMicrosPerMillion\":100000,\"cacheWriteMicrosPerMillion\":1250000}");
    assertThat(ConfigCodec.fromJson(json, RoutePlan.Target.class)).isEqualTo(HAIKU);
    assertThat(ConfigCodec.toJson(ConfigCodec.fromJson(json, RoutePlan.Target.class))).isEqualTo(json);
    RoutePlan.Target free = new RoutePlan.Target("p", "m", 0, 1, 100, 100, 0).withCachePrices(0L, null);
    assertThat(ConfigCodec.fromJson(ConfigCodec.toJson(free), RoutePlan.Target.class).effectiveCachedInputMicrosPerMillion())
        .as("an explicit 0 is free, not unset").isZero();
  }

  @Test
  void cachedTokensCostTheCachedPrice() {
    // 10,000 prompt tokens of which 8,000 cached, 500 out:
    // 2,000 x 0.15 + 8,000 x 0.075 = 300 + 600 = 900 micros; 500 x 0.60 = 300 micros
    assertThat(MINI.costMicros(10_000, 8_000, 0, 500)).isEqualTo(1_200);
    assertThat(MINI.costMicros(10_000, 500)).as("all at the input price").isEqualTo(1_800);
  }

  @Test
  void cacheReadsAndWritesEachCostTheirPrice() {
    // 3,000 uncached at $1, 20,000 read at $0.10, 4,000 written at $1.25; 200 out at $5
    assertThat(HAIKU.costMicros(27_000, 20_000, 4_000, 200)).isEqualTo(3_000 + 2_000 + 5_000 + 1_000);
  }

  @Test
  void thePromptSideIsRoundedUpOnceSoUnsetPricesCostWhatTheyDidBefore() {
    RoutePlan.Target plain = new RoutePlan.Target("p", "m", 0, 1, 150_000, 600_000, 0);
    // 7 uncached + 3 cached tokens at 0.15 micros each: 1.5 micros, rounded up once to 2 (not 2 + 1)
    assertThat(plain.costMicros(10, 3, 0, 0)).isEqualTo(plain.costMicros(10, 0)).isEqualTo(2);
    assertThat(HAIKU.costMicros(1, 0, 1, 1)).as("1.25 + 5 micros, each side up").isEqualTo(2 + 5);
  }

  @Test
  void inconsistentCountsAreClampedToThePrompt() {
    assertThat(HAIKU.costMicros(100, 500, 0, 0)).as("all 100 cached").isEqualTo(10);
    assertThat(HAIKU.costMicros(100, 60, 60, 0)).as("60 read, 40 written").isEqualTo(6 + 50);
  }

  @Test
  void aWebSearchPriceIsLeftOutWhenUnsetAndRoundTripsWhenSet() {
    assertThat(ConfigCodec.toJson(HAIKU_1H)).doesNotContain("webSearch");
    assertThat(HAIKU_1H.webSearchMicrosPerThousand()).isNull();
    // claude-haiku-4-5 with web search at $10 per 1,000 searches
    RoutePlan.Target searching = new RoutePlan.Target("anthropic", "claude-haiku-4-5", 0, 1, 1_000_000, 5_000_000,
        200_000).withCachePrices(100_000L, 1_250_000L).withWebSearchPrice(10_000_000L);
    String json = ConfigCodec.toJson(searching);
    assertThat(json).endsWith("\"cacheWriteMicrosPerMillion\":1250000,\"webSearchMicrosPerThousand\":10000000}");
    assertThat(ConfigCodec.fromJson(json, RoutePlan.Target.class)).isEqualTo(searching);
    assertThat(searching.withModel("claude-x")).isEqualTo(new RoutePlan.Target("anthropic", "claude-x", 0, 1, 1_000_000,
        5_000_000, 200_000).withCachePrices(100_000L, 1_250_000L).withWebSearchPrice(10_000_000L));
  }

  @Test
  void webSearchesCostTheirPricePerThousandRoundedUpOnce() {
    RoutePlan.Target tenDollars = new RoutePlan.Target("p", "m", 0, 1, 0, 0, 0).withWebSearchPrice(10_000_000L);
    assertThat(tenDollars.webSearchCostMicros(3)).as("$0.01 a search").isEqualTo(30_000);
    assertThat(tenDollars.webSearchCostMicros(0)).isZero();
    RoutePlan.Target odd = new RoutePlan.Target("p", "m", 0, 1, 0, 0, 0).withWebSearchPrice(1_001L);
    assertThat(odd.webSearchCostMicros(3)).as("3 x 1.001 micros = 3.003, rounded up once").isEqualTo(4);
    assertThat(HAIKU.webSearchCostMicros(5)).as("unpriced").isZero();
    assertThat(new RoutePlan.Target("p", "m", 0, 1, 0, 0, 0)
        .withWebSearchPrice(0L).webSearchCostMicros(5)).as("free").isZero();
  }

  @Test
  void theWorstCaseCoversAPromptOfLongCacheWrites() {
    assertThat(HAIKU_1H.maxPromptMicrosPerMillion()).isEqualTo(2_000_000);
    assertThat(HAIKU_1H.worstCaseCostMicros(1_000, 100)).isEqualTo(2_000 + 500);
    assertThat(HAIKU_1H.costMicros(1_000, 0, 1_000, 1_000, 100)).isEqualTo(HAIKU_1H.worstCaseCostMicros(1_000, 100));
    RoutePlan.Target cheapLong = new RoutePlan.Target("p", "m", 0, 1, 1_000_000, 0, 0)
        .withCachePrices(null, 3_000_000L)
        .withCacheWriteLongPrice(500_000L);
    assertThat(cheapLong.maxPromptMicrosPerMillion()).isEqualTo(3_000_000);
  }

  @Test
  void theWorstCaseUsesTheDearestPromptPrice() {
    assertThat(HAIKU.maxPromptMicrosPerMillion()).isEqualTo(1_250_000);
    assertThat(HAIKU.worstCaseCostMicros(1_000, 100)).isEqualTo(1_250 + 500);
    assertThat(MINI.worstCaseCostMicros(1_000, 100)).isEqualTo(MINI.costMicros(1_000, 100));
    for (long cached = 0; cached <= 1_000; cached += 250) {
      assertThat(HAIKU.costMicros(1_000, cached, 1_000 - cached, 100)).isLessThanOrEqualTo(HAIKU.worstCaseCostMicros(1_000, 100));
    }
  }

  /** dall-e-3: $0.04 standard and $0.08 hd at 1024x1024, $0.12 hd at 1792x1024; no tokens. */
  static final RoutePlan.Target DALL_E = new RoutePlan.Target("openai", "dall-e-3", 0, 1, 0, 0, 0)
      .withImagePricing(new RoutePlan.ImagePricing(List.of(
          new RoutePlan.ImagePrice("1024x1024", "standard", 40_000),
          new RoutePlan.ImagePrice("1024x1024", "hd", 80_000),
          new RoutePlan.ImagePrice("1792x1024", "hd", 120_000)), null, null));
  /** gpt-image-1: $5 text input, $10 image input, $40 output per million tokens; at most 6,240 per image. */
  static final RoutePlan.Target GPT_IMAGE = new RoutePlan.Target("openai", "gpt-image-1", 0, 1, 5_000_000, 40_000_000, 0)
      .withImagePricing(new RoutePlan.ImagePricing(List.of(), 10_000_000L, 6_240L));

  @Test
  void perImagePricesMatchSizeAndQualityAndAnUnknownOneTakesTheDearest() {
    assertThat(DALL_E.pricesImages("1024x1024", "standard")).isTrue();
    assertThat(DALL_E.pricesImages("512x512", null)).as("no price for that size").isFalse();
    assertThat(DALL_E.imageWorstCaseMicros(1, "1024x1024", "standard", 100)).isEqualTo(40_000);
    assertThat(DALL_E.imageWorstCaseMicros(3, "1024x1024", null, 100)).isEqualTo(240_000);
    assertThat(DALL_E.imageWorstCaseMicros(2, null, null, 100)).isEqualTo(240_000);
    assertThat(DALL_E.imageCostMicros(2, "1024x1024", "standard", 0, 0, 0)).isEqualTo(80_000);
    assertThat(DALL_E.imageCostMicros(1, "256x256", "standard", 0, 0, 0)).as("unpriced as served: the dearest").isEqualTo(120_000);
    assertThat(new RoutePlan.Target("p", "m", 0, 1, 1, 1, 0).pricesImages(null, null)).as("no image prices").isFalse();
  }

  @Test
  void tokenPricedImagesReserveTheOutputCeilingAndBillTextAndImageInputApart() {
    assertThat(GPT_IMAGE.pricesImages("1024x1024", "high")).isTrue();
    // 50 prompt tokens at $5 = 250; 2 x 6,240 output tokens at $40 = 499,200
    assertThat(GPT_IMAGE.imageWorstCaseMicros(2, null, null, 50)).isEqualTo(250 + 499_200);
    // 10 text tokens at $5 + 40 image tokens at $10 = 50 + 400, 4,160 output at $40 = 166,400
    assertThat(GPT_IMAGE.imageCostMicros(1, "1024x1024", "high", 50, 40, 4_160)).isEqualTo(450 + 166_400);
    RoutePlan.Target unbounded = GPT_IMAGE.withImagePricing(new RoutePlan.ImagePricing(null, null, null));
    assertThat(unbounded.pricesImages(null, null)).as("output tokens priced but not bounded").isFalse();
  }

  @Test
  void imagePricesAreLeftOutWhenUnsetAndRoundTripWhenSet() {
    assertThat(ConfigCodec.toJson(MINI)).doesNotContain("image");
    String json = ConfigCodec.toJson(DALL_E);
    assertThat(json).endsWith("\"imagePricing\":{\"perImage\":[{\"size\":\"1024x1024\",\"quality\":\"standard\",\"micros\":40000},"
        + "{\"size\":\"1024x1024\",\"quality\":\"hd\",\"micros\":80000},{\"size\":\"1792x1024\",\"quality\":\"hd\",\"micros\":120000}]}}");
    assertThat(ConfigCodec.fromJson(json, RoutePlan.Target.class)).isEqualTo(DALL_E);
    assertThat(ConfigCodec.fromJson(ConfigCodec.toJson(GPT_IMAGE), RoutePlan.Target.class)).isEqualTo(GPT_IMAGE);
    assertThat(GPT_IMAGE.withModel("x").imagePricing()).as("a pattern target keeps its image prices").isEqualTo(GPT_IMAGE.imagePricing());
  }

  /** tts-1: $15 per million characters. */
  static final RoutePlan.Target TTS = new RoutePlan.Target("openai", "tts-1", 0, 1, 0, 0, 0)
      .withAudioPricing(new RoutePlan.AudioPricing(15_000_000L, null, null, null, null, null));
  /** gpt-4o-mini-tts: $0.60 text input, $12 audio output per million; at most 20 audio tokens per character. */
  static final RoutePlan.Target MINI_TTS = new RoutePlan.Target("openai", "gpt-4o-mini-tts", 0, 1, 600_000, 12_000_000, 0)
      .withAudioPricing(new RoutePlan.AudioPricing(null, null, null, null, null, 20L));
  /** whisper-1: $0.006 per minute. */
  static final RoutePlan.Target WHISPER = new RoutePlan.Target("openai", "whisper-1", 0, 1, 0, 0, 0)
      .withAudioPricing(new RoutePlan.AudioPricing(null, 6_000L, null, null, null, null));
  /** gpt-4o-transcribe: $2.50 text, $6 audio input, $10 output per million; 1,500 audio and 1,000 output tokens a minute at most. */
  static final RoutePlan.Target TRANSCRIBE = new RoutePlan.Target("openai", "gpt-4o-transcribe", 0, 1, 2_500_000, 10_000_000, 0)
      .withAudioPricing(new RoutePlan.AudioPricing(null, null, 6_000_000L, 1_500L, 1_000L, null));

  @Test
  void speechIsBilledPerCharacterOrForItsTokens() {
    assertThat(TTS.pricesSpeech()).isTrue();
    assertThat(TTS.pricesTranscription()).as("a price per character prices no audio input").isFalse();
    // 11 characters at $15 per million: 165 micros exactly; 1 character: 15
    assertThat(TTS.audioCostMicros(11, 0, 0, 0, 0)).isEqualTo(165);
    assertThat(TTS.audioWorstCaseMicros(11, 0, 4)).isEqualTo(165);
    // 11 characters: 220 audio tokens at $12 = 2,640; 4 text tokens at $0.60 = 2.4 -> 3 (one rounding per side)
    assertThat(MINI_TTS.pricesSpeech()).isTrue();
    assertThat(MINI_TTS.audioWorstCaseMicros(11, 0, 4)).isEqualTo(3 + 2_640);
    RoutePlan.Target unbounded = MINI_TTS.withAudioPricing(new RoutePlan.AudioPricing(1L, null, null, null, null, null));
    assertThat(unbounded.pricesSpeech()).as("audio output priced but not bounded").isFalse();
  }

  @Test
  void transcriptionIsBilledPerSecondOrForItsTokens() {
    assertThat(WHISPER.pricesTranscription()).isTrue();
    assertThat(WHISPER.pricesSpeech()).isFalse();
    // 61 seconds at $0.006 a minute: 6,100 micros; 1 second: 100; 7 seconds: 700
    assertThat(WHISPER.audioCostMicros(0, 61, 0, 0, 0)).isEqualTo(6_100);
    assertThat(WHISPER.audioCostMicros(0, 1, 0, 0, 0)).isEqualTo(100);
    RoutePlan.Target odd = WHISPER.withAudioPricing(new RoutePlan.AudioPricing(null, 7L, null, null, null, null));
    assertThat(odd.audioCostMicros(0, 10, 0, 0, 0)).as("70/60 rounds up").isEqualTo(2);
    // 14 audio tokens at $6 + 6 text at $2.50 = 84 + 15 = 99; 45 output at $10 = 450
    assertThat(TRANSCRIBE.pricesTranscription()).isTrue();
    assertThat(TRANSCRIBE.audioCostMicros(0, 0, 20, 14, 45)).isEqualTo(99 + 450);
    // 90 s: 2,250 audio tokens ($6: 13,500) + 10 prompt tokens ($2.50: 25) + 1,500 output ($10: 15,000)
    assertThat(TRANSCRIBE.audioWorstCaseMicros(0, 90, 10)).isEqualTo(13_500 + 25 + 15_000);
    RoutePlan.Target noOutputCeiling = TRANSCRIBE.withAudioPricing(new RoutePlan.AudioPricing(null, null, 6_000_000L, 1_500L, null, null));
    assertThat(noOutputCeiling.pricesTranscription()).isFalse();
  }

  @Test
  void audioPricesAreLeftOutWhenUnsetAndRoundTripWhenSet() {
    assertThat(ConfigCodec.toJson(MINI)).doesNotContain("audio");
    assertThat(ConfigCodec.toJson(WHISPER)).endsWith("\"audioPricing\":{\"minuteMicros\":6000}}");
    assertThat(ConfigCodec.fromJson(ConfigCodec.toJson(TRANSCRIBE), RoutePlan.Target.class)).isEqualTo(TRANSCRIBE);
    assertThat(TRANSCRIBE.withModel("x").audioPricing()).isEqualTo(TRANSCRIBE.audioPricing());
    assertThat(MINI.audioCostMicros(10, 10, 10, 10, 10)).as("no audio prices").isZero();
  }
}
