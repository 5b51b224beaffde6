package dev.tollgate.gateway.metering;

/**
 * What an audio request asks for, as its price needs it (ADR 0054): the characters of speech input
 * (known exactly), or the most seconds an uploaded file can last (its duration is not known before
 * the provider has read it: bounded by its size at the configured minimum bitrate).
 *
 * @param characters Unicode code points of a speech request's {@code input}; 0 for an upload
 * @param maxSeconds the bound of an upload's duration; 0 for speech
 */
public record AudioRequest(long characters, long maxSeconds) {

  /** A speech request of {@code input}. */
  public static AudioRequest speech(String input) {
    return new AudioRequest(input.codePointCount(0, input.length()), 0);
  }

  /**
   * An upload of a {@code fileBytes} file, at least {@code minBitrate} bits per second: at most
   * {@code fileBytes * 8 / minBitrate} seconds, rounded up, and at least one.
   */
  public static AudioRequest upload(long fileBytes, long minBitrate) {
    return new AudioRequest(0, Math.max(1, (Math.multiplyExact(fileBytes, 8L) + minBitrate - 1) / minBitrate));
  }
}
