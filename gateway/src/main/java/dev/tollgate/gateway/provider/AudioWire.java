package dev.tollgate.gateway.provider;

import dev.tollgate.gateway.metering.AudioRequest;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/**
 * Reads what an OpenAI audio API answer is billed for (ADR 0054); the answer itself passes through
 * unchanged. Speech answers are audio and report nothing: billed for the input's characters, the
 * counted text tokens and the audio output at the serving target's ceiling per character. A
 * transcription or translation is billed from its {@code usage} ({@code "type": "tokens"}, with
 * {@code input_token_details.audio_tokens}, or {@code "type": "duration"} with {@code seconds}),
 * else from {@code verbose_json}'s {@code duration}. A client's {@code text}, {@code srt} or {@code
 * vtt} reports nothing, so the provider is asked for a format that does ({@link #reportingFormat})
 * and the client's format is rendered from it ({@link #render}); where the model family is not
 * known to accept one, the answer passes through and is billed at the reservation's bound: the
 * longest the upload can last, with the target's token ceilings for it.
 */
public final class AudioWire {

  /** The answer formats that report no usage, rendered from one that does. */
  private static final Set<String> RENDERED = Set.of("text", "srt", "vtt");

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

  /**
   * The answer format to ask {@code upstreamModel} for in place of the client's {@code asked}, so
   * that the answer reports what it is billed for; null to send the client's own. {@code text},
   * {@code srt} and {@code vtt} report nothing: a whisper model is asked for {@code verbose_json}
   * (its {@code duration} and {@code segments} render all three), a GPT-4o transcribe model, which
   * takes {@code json} and {@code text} only, for {@code json} in place of {@code text} (its {@code
   * usage}). Any other model name (an OpenAI-compatible server's own model, an Azure deployment
   * named otherwise) gets the client's format, billed at the bound (ADR 0054).
   */
  public static String reportingFormat(String upstreamModel, String asked) {
    if (asked == null || !RENDERED.contains(asked)) {
      return null;
    }
    String model = upstreamModel.toLowerCase(Locale.ROOT);
    if (model.contains("whisper")) {
      return "verbose_json";
    }
    return model.contains("transcribe") && asked.equals("text") ? "json" : null;
  }

  /**
   * The client's {@code asked} format ({@code text}, {@code srt} or {@code vtt}) rendered from the
   * {@link #reportingFormat} answer {@code json}, as whisper-1 writes it: the text and a line end;
   * numbered SRT cues with {@code HH:MM:SS,mmm} times; WebVTT cues with {@code HH:MM:SS.mmm} times;
   * each segment's text trimmed, {@code -->} in it written {@code ->}.
   *
   * @throws IllegalArgumentException when {@code json} lacks the text or the segments it needs
   */
  public static String render(String asked, JsonObject json) {
    if (asked.equals("text")) {
      if (!(json.getValue("text") instanceof String text)) {
        throw new IllegalArgumentException("no text");
      }
      return text + "\n";
    }
    if (!(json.getValue("segments") instanceof JsonArray segments)) {
      throw new IllegalArgumentException("no segments");
    }
    boolean srt = asked.equals("srt");
    StringBuilder out = new StringBuilder(srt ? "" : "WEBVTT\n\n");
    int n = 0;
    for (Object o : segments) {
      if (!(o instanceof JsonObject seg) || !(seg.getValue("start") instanceof Number start)
          || !(seg.getValue("end") instanceof Number end) || !(seg.getValue("text") instanceof String text)) {
        throw new IllegalArgumentException("a segment without start, end or text");
      }
      if (srt) {
        out.append(++n).append('\n');
      }
      char marker = srt ? ',' : '.';
      out.append(timestamp(start.doubleValue(), marker)).append(" --> ").append(timestamp(end.doubleValue(), marker))
          .append('\n').append(text.strip().replace("-->", "->")).append("\n\n");
    }
    return out.toString();
  }

  /** {@code seconds} as {@code HH:MM:SS<marker>mmm}, rounded to the millisecond. */
  static String timestamp(double seconds, char marker) {
    long ms = Math.round(Math.max(0, seconds) * 1000.0);
    return String.format(Locale.ROOT, "%02d:%02d:%02d%c%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, marker, ms % 1000);
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
