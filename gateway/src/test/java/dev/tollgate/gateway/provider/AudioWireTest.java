package dev.tollgate.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Which format a transcription is asked in so that it reports usage, and the client's format rendered from it (ADR 0054). */
class AudioWireTest {

  @Test
  void onlyTextSrtAndVttOfAKnownModelFamilyAreAskedInAnotherFormat() {
    assertThat(AudioWire.reportingFormat("whisper-1", "srt")).isEqualTo("verbose_json");
    assertThat(AudioWire.reportingFormat("Whisper-Large-v3", "text")).isEqualTo("verbose_json");
    assertThat(AudioWire.reportingFormat("gpt-4o-mini-transcribe", "text")).isEqualTo("json");
    assertThat(AudioWire.reportingFormat("gpt-4o-transcribe", "vtt")).isNull(); // not taken: the provider refuses it
    assertThat(AudioWire.reportingFormat("whisper-1", "json")).isNull();
    assertThat(AudioWire.reportingFormat("whisper-1", null)).isNull();
    assertThat(AudioWire.reportingFormat("my-deployment", "srt")).isNull(); // unknown family: billed at the bound
  }

  @Test
  void timestampsCarryHoursAndRoundToTheMillisecond() {
    assertThat(AudioWire.timestamp(3725.5, ',')).isEqualTo("01:02:05,500");
    assertThat(AudioWire.timestamp(0.0004, '.')).isEqualTo("00:00:00.000");
    assertThat(AudioWire.timestamp(59.9996, '.')).isEqualTo("00:01:00.000");
  }

  @Test
  void anAnswerWithoutSegmentsCannotBeRendered() {
    assertThatThrownBy(() -> AudioWire.render("srt", new JsonObject().put("text", "x"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AudioWire.render("vtt", new JsonObject().put("segments", new JsonArray().add(new JsonObject()))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(AudioWire.render("vtt", new JsonObject().put("segments", new JsonArray()))).isEqualTo("WEBVTT\n\n");
  }
}
