package dev.tollgate.gateway.provider;

import dev.tollgate.gateway.metering.AudioRequest;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Reads what an OpenAI audio API answer is billed for (ADR 0054); the answer itself passes through
 * unchanged. Speech answers are audio and report nothing: billed for the input's characters, the
 * counted text tokens and the audio output at the serving target's ceiling per character. A
 * transcription or translation is billed from its {@code usage} ({@code "type": "tokens"}, with
 * {@code input_token_details.audio_tokens}, or {@code "type": "duration"} with {@code seconds}),
 * else from {@code verbose_json}'s {@code duration}; when the answer reports neither ({@code text},
 * {@code srt}, {@code vtt}), from the reservation's bound: the longest the upload can last, with
 * the target's token ceilings for it.
 */
public final class AudioWire {

  private AudioWire() {}

  /**
   * The usage of the audio answer {@code body} (of {@code contentType}) to {@code requested}, served
   * by {@code target} (which prices it) for a text prompt of {@code promptTokens}.
   */
  public static Usage usage(AudioRequest requested, RoutePlan.Target target, long promptTokens, Buffer body,
      String contentType) {
    RoutePlan.AudioPricing prices = target.audioPricing();
    if (requested.characters() > 0) {
      return new Usage(promptTokens, prices.outputTokenCeiling(requested.characters(), 0), false)
          .withAudio(new Usage.Audio(requested.characters(), 0, 0));
    }
    JsonObject json = json(body, contentType);
    JsonObject u = json != null && json.getValue("usage") instanceof JsonObject o ? o : null;
    if (u != null && "tokens".equals(u.getValue("type"))) {
      long in = count(u, "input_tokens");
      JsonObject details = u.getValue("input_token_details") instanceof JsonObject d ? d : null;
      // without the split, every input token counts as audio (the dearer kind)
      long audioIn = details == null ? in
          : details.containsKey("audio_tokens") ? count(details, "audio_tokens") : in - count(details, "text_tokens");
      // a target that also prices minutes gets the bound: tokens say nothing of the duration
      long seconds = prices.minuteMicros() == null ? 0 : requested.maxSeconds();
      return new Usage(in, count(u, "output_tokens"), true).withAudio(new Usage.Audio(0, seconds, Math.max(0, audioIn)));
    }
    Object reported = u != null && "duration".equals(u.getValue("type")) ? u.getValue("seconds")
        : json != null ? json.getValue("duration") : null;
    boolean known = reported instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= requested.maxSeconds() * 100.0;
    long seconds = known ? (long) Math.ceil(((Number) reported).doubleValue()) : requested.maxSeconds();
    long audioIn = prices.audioTokenCeiling(seconds);
    return new Usage(Math.addExact(promptTokens, audioIn), prices.outputTokenCeiling(0, seconds), known)
        .withAudio(new Usage.Audio(0, seconds, audioIn));
  }

  private static JsonObject json(Buffer body, String contentType) {
    if (contentType == null || !contentType.contains("json")) {
      return null;
    }
    try {
      return body.toJsonValue() instanceof JsonObject o ? o : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  private static long count(JsonObject o, String field) {
    return o.getValue(field) instanceof Number n ? Math.max(0, n.longValue()) : 0;
  }
}
