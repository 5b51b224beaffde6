package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonObject;

/**
 * OpenAI audio API shapes as the provider sends them, for the OpenAI-compatible and Azure fakes:
 * speech answers audio bytes ({@code audio/mpeg}), a transcription or translation answers {@code
 * text} with a {@code usage} of {@code "type": "tokens"} (GPT-4o transcribe models) or {@code
 * "type": "duration"} (whisper-1).
 */
public final class Audio {

  public static final String SPEECH = "/v1/audio/speech";
  public static final String TRANSCRIPTIONS = "/v1/audio/transcriptions";
  public static final String TRANSLATIONS = "/v1/audio/translations";
  /** What the fakes answer for speech: stands for MP3 bytes. */
  public static final String MP3 = "ID3\u0004fake-mp3-frames";
  public static final String TEXT = "Imagine the wildest idea that you've ever had.";

  private Audio() {}

  /** True for one of the audio paths ({@code /v1/audio/...}, or Azure's {@code .../audio/...}). */
  public static boolean path(String path) {
    return path.endsWith("/audio/speech") || path.endsWith("/audio/transcriptions") || path.endsWith("/audio/translations");
  }

  /** The default answer to an audio call at {@code path}: speech audio, else a whisper-1 transcript of 3.2 s. */
  public static Reply reply(String path) {
    return path.endsWith("/audio/speech") ? Reply.text(200, "audio/mpeg", MP3) : Reply.json(200, duration(3.2));
  }

  /** A transcript billed by tokens: {@code audio} audio and {@code text} text input tokens, {@code output} output tokens. */
  public static JsonObject tokens(long audio, long text, long output) {
    return new JsonObject().put("text", TEXT).put("usage", new JsonObject().put("type", "tokens")
        .put("input_tokens", audio + text)
        .put("input_token_details", new JsonObject().put("text_tokens", text).put("audio_tokens", audio))
        .put("output_tokens", output).put("total_tokens", audio + text + output));
  }

  /** A transcript billed by duration, as whisper-1's {@code json} answer reports it. */
  public static JsonObject duration(double seconds) {
    return new JsonObject().put("text", TEXT).put("usage", new JsonObject().put("type", "duration").put("seconds", seconds));
  }

  /** whisper-1's {@code verbose_json} answer without a usage: only its {@code duration}. */
  public static JsonObject verbose(double seconds) {
    return new JsonObject().put("task", "transcribe").put("language", "english").put("duration", seconds).put("text", TEXT);
  }
}
