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

  @Test
  void aLongLineArrivingInManySmallPiecesIsOneEvent() {
    String big = "q".repeat(200_000);
    List<SseEvent> events = feedInPieces("data: " + big + "\r\n\r\ndata: next\n\n", 1000);
    assertThat(events).containsExactly(new SseEvent(null, big), new SseEvent(null, "next"));
  }

  @Test
  void anEventOverTheBoundThrowsWhetherItArrivesWholeOrInPieces() {
    String atBound = "data: " + "a".repeat(100) + "\n\n";
    assertThat(new SseParser(100).feed(atBound.getBytes(StandardCharsets.UTF_8)))
        .containsExactly(new SseEvent(null, "a".repeat(100)));
    for (String over : List.of("data: " + "b".repeat(101) + "\n\n", "data: " + "c".repeat(60) + "\ndata: " + "d".repeat(60) + "\n\n")) {
      // whole: the line ends within the chunk, the event's data is over the bound
      SseParser whole = new SseParser(100);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> whole.feed(over.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(SseParser.TooLargeException.class);
    }
    // a line that never ends: thrown as soon as what is held passes the bound
    SseParser open = new SseParser(100);
    assertThat(open.feed(("data: " + "e".repeat(80)).getBytes(StandardCharsets.UTF_8))).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> open.feed("e".repeat(30).getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SseParser.TooLargeException.class);
  }
}
