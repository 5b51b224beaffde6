package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.provider.Usage;
import dev.tollgate.schema.RoutePlan;

/**
 * How a request ended, as settle needs it.
 *
 * @param status HTTP status the client got (499 when the client went away mid-response)
 * @param code error code, or null on success
 * @param usage tokens to bill ({@link Usage#NONE} when no upstream produced anything)
 * @param provider name of the provider that served (or last failed), null if none was called
 * @param target the target whose prices apply, null if none was called
 * @param attempts upstream attempts made
 */
public record Outcome(int status, String code, Usage usage, String provider, RoutePlan.Target target, int attempts) {

  public static Outcome rejected(int status, String code) {
    return new Outcome(status, code, Usage.NONE, null, null, 0);
  }

  /**
   * Provider cost of the usage at the serving target's prices, prompt-cache reads and writes (1-hour
   * writes apart) at theirs, plus the web searches the provider ran at the target's price per
   * thousand (ADR 0047); images at the target's image prices (ADR 0049); audio at its audio prices (ADR 0054).
   */
  public long costMicros() {
    Usage.Audio audio = usage.audio();
    if (target != null && audio != null) {
      return target.audioCostMicros(audio.characters(), audio.seconds(), usage.inputTokens(), audio.audioInputTokens(),
          usage.outputTokens());
    }
    Usage.Images images = usage.images();
    if (target != null && images != null) {
      return target.imageCostMicros(images.count(), images.size(), images.quality(), usage.inputTokens(),
          images.imageInputTokens(), usage.outputTokens());
    }
    return target == null ? 0
        : Math.addExact(target.costMicros(usage.inputTokens(), usage.cachedInputTokens(), usage.cacheWriteTokens(),
            usage.cacheWriteLongTokens(), usage.outputTokens()), target.webSearchCostMicros(usage.webSearchCalls()));
  }
}
