package dev.tollgate.gateway.provider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental Server-Sent Events parser (WHATWG rules that providers use: {@code event:}, {@code
 * data:} lines, blank line ends an event, {@code :} comments ignored, CRLF or LF). Feed it network
 * chunks in any split; it returns the events completed so far. Not thread-safe: one per stream.
 */
public final class SseParser {

  /** An upstream event (or line) grew past the bound: the stream is broken, not something to hold. */
  public static final class TooLargeException extends RuntimeException {
    TooLargeException(long max) {
      super("upstream stream event larger than " + max + " bytes");
    }
  }

  private final long maxEventChars;
  private final StringBuilder pending = new StringBuilder();
  /** How far {@link #pending} has been scanned for line ends: a long line is not rescanned per chunk. */
  private int scanned;
  private byte[] carry = new byte[0];
  private String event;
  private StringBuilder data;
  private boolean skipLf;

  /** A parser without a bound on an event's size (tests, trusted input). */
  public SseParser() {
    this(Long.MAX_VALUE);
  }

  /**
   * @param maxEventChars the largest event (its lines together) held in memory; a bigger one makes
   *     {@link #feed} throw {@link TooLargeException}, so a provider that never ends a line cannot
   *     exhaust the gateway's memory
   */
  public SseParser(long maxEventChars) {
    this.maxEventChars = maxEventChars;
  }

  /** Parses one network chunk; returns complete events (possibly none). */
  public List<SseEvent> feed(byte[] chunk) {
    byte[] all = carry.length == 0 ? chunk : concat(carry, chunk);
    int safe = utf8Boundary(all);
    carry = java.util.Arrays.copyOfRange(all, safe, all.length);
    pending.append(new String(all, 0, safe, StandardCharsets.UTF_8));
    List<SseEvent> out = new ArrayList<>();
    int start = 0;
    for (int i = scanned; i < pending.length(); i++) {
      char c = pending.charAt(i);
      if (c == '\n' && skipLf && i == start) {
        // second half of a CRLF split across chunks
        skipLf = false;
        start = i + 1;
        continue;
      }
      skipLf = false;
      if (c == '\n' || c == '\r') {
        line(pending.substring(start, i), out);
        if (c == '\r') {
          if (i + 1 < pending.length()) {
            if (pending.charAt(i + 1) == '\n') {
              i++;
            }
          } else {
            skipLf = true;
          }
        }
        start = i + 1;
      }
    }
    pending.delete(0, start);
    scanned = pending.length();
    checkSize(pending.length());
    return out;
  }

  /** The event still open when the stream ended without a final blank line, or null. */
  public SseEvent flush() {
    if (pending.length() > 0) {
      List<SseEvent> out = new ArrayList<>();
      line(pending.toString(), out);
      pending.setLength(0);
      scanned = 0;
    }
    SseEvent e = data == null ? null : new SseEvent(event, data.toString());
    event = null;
    data = null;
    return e;
  }

  private void line(String line, List<SseEvent> out) {
    if (line.isEmpty()) {
      if (data != null) {
        out.add(new SseEvent(event, data.toString()));
      }
      event = null;
      data = null;
      return;
    }
    if (line.charAt(0) == ':') {
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if ("event".equals(field)) {
      event = value;
    } else if ("data".equals(field)) {
      if (data == null) {
        data = new StringBuilder(value);
      } else {
        data.append('\n').append(value);
      }
      checkSize(0);
    }
  }

  /** @param open characters of a line not yet ended, beside the event's data so far */
  private void checkSize(int open) {
    if (open + (data == null ? 0 : data.length()) > maxEventChars) {
      throw new TooLargeException(maxEventChars);
    }
  }

  private static int utf8Boundary(byte[] b) {
    int n = b.length;
    for (int back = 1; back <= Math.min(3, n); back++) {
      int x = b[n - back] & 0xFF;
      if ((x & 0xC0) == 0x80) {
        continue;
      }
      int need = x >= 0xF0 ? 4 : x >= 0xE0 ? 3 : x >= 0xC0 ? 2 : 1;
      return need > back ? n - back : n;
    }
    return n;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
