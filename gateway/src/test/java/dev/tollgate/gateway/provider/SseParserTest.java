package dev.tollgate.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

  private static List<SseEvent> feedInPieces(String text, int piece) {
    SseParser p = new SseParser();
    byte[] all = text.getBytes(StandardCharsets.UTF_8);
    List<SseEvent> out = new ArrayList<>();
    for (int i = 0; i < all.length; i += piece) {
      out.addAll(p.feed(java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + piece))));
    }
    return out;
  }

  @Test
  void parsesEventsWhateverTheChunkBoundaries() {
    String stream = "event: message_start\r\ndata: {\"a\":\"héllo ✓\"}\r\n\r\n: keep-alive\n\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n";
    for (int piece = 1; piece <= stream.length(); piece++) {
      List<SseEvent> events = feedInPieces(stream, piece);
      assertThat(events).as("piece size %d", piece).containsExactly(
          new SseEvent("message_start", "{\"a\":\"héllo ✓\"}"),
          new SseEvent(null, "line1\nline2"),
          new SseEvent(null, "[DONE]"));
    }
  }

  @Test
  void flushReturnsAnEventCutBeforeItsBlankLine() {
    SseParser p = new SseParser();
    assertThat(p.feed("data: partial".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(p.flush()).isEqualTo(new SseEvent(null, "partial"));
    assertThat(p.flush()).isNull();
  }
}
