package dev.tollgate.schema;

import java.util.List;

/**
 * The fields of a usage record (one entry per settled request in {@link RedisKeys#usage}), in the
 * order the gateway writes them: the one definition shared by the writer (the gateway's settle) and
 * the readers (the usage export). Meanings in docs/gateway.md#accounting; new fields are only ever
 * appended, so a record written by an older gateway lacks the last ones.
 */
public final class UsageFields {

  public static final String REQUEST_ID = "requestId";
  /** When the request started, epoch milliseconds: the billing month is the month of this instant (UTC). */
  public static final String TS = "ts";
  public static final String TENANT = "tenant";
  public static final String API_KEY = "apiKey";
  public static final String COST_MICROS = "costMicros";
  public static final String BILLED_MICROS = "billedMicros";
  public static final String CURRENCY = "currency";

  /** Every field, in writing order. */
  public static final List<String> ALL = List.of(
      REQUEST_ID, TS, TENANT, API_KEY, "endpoint", "requestedModel", "servedModel", "provider",
      "stream", "tokensIn", "tokensOut", "usageSource", COST_MICROS, BILLED_MICROS, "capBasisMicros",
      "reservedMicros", CURRENCY, "inputPriceMicrosPerMillion", "outputPriceMicrosPerMillion", "policy",
      "policyVersion", "policyGeneration", "attempts", "latencyMs", "status", "errorCode",
      "tokensInCached", "tokensInCacheWrite", "cachedInputPriceMicrosPerMillion", "cacheWritePriceMicrosPerMillion",
      "tokensInCacheWriteLong", "cacheWriteLongPriceMicrosPerMillion",
      "webSearchCalls", "webSearchPriceMicrosPerThousand",
      "images", "imageSize", "imageQuality", "imagePriceMicros", "tokensInImage", "imageInputPriceMicrosPerMillion",
      "audioCharacters", "audioSeconds", "tokensInAudio", "audioCharacterPriceMicrosPerMillion", "audioMinutePriceMicros",
      "audioInputPriceMicrosPerMillion");

  private UsageFields() {}
}
