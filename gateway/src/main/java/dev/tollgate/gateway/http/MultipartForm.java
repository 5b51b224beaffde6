package dev.tollgate.gateway.http;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A {@code multipart/form-data} body (RFC 7578) as the audio uploads send it, read in memory: where
 * each part's content lies, so that the gateway can read the small text fields it needs ({@code
 * model}, {@code response_format}, {@code stream}, {@code prompt}) and the uploaded file's size,
 * and forward the body unchanged but for the model name. The file's bytes are never copied, decoded
 * or kept beyond the request.
 *
 * @param body the raw body, as received
 * @param contentType the request's {@code content-type}, boundary included (sent upstream as it is)
 * @param parts the parts in body order
 */
public record MultipartForm(Buffer body, String contentType, List<Part> parts) {

  /** A boundary as RFC 2046 allows it: 1 to 70 of these characters, not ending in a space. */
  private static final Pattern BOUNDARY = Pattern.compile("[0-9A-Za-z'()+_,\\-./:=? ]{0,69}[0-9A-Za-z'()+_,\\-./:=?]");
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};
  /** Parts a form may hold: OpenAI's audio forms have fewer than 30; a body of thousands costs only parsing. */
  static final int MAX_PARTS = 100;

  /**
   * One part: its field name, whether it is a file, and where its content lies in the body.
   *
   * @param start index of the first content byte
   * @param end index after the last content byte
   */
  public record Part(String name, boolean file, int start, int end) {
    public int length() {
      return end - start;
    }
  }

  /** True for a {@code multipart/form-data} content type. */
  public static boolean isMultipart(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
  }

  /**
   * Parses {@code body} sent with {@code contentType}.
   *
   * @throws IllegalArgumentException when it is not a well-formed multipart form (the message says
   *     what is wrong, never what the body holds)
   */
  public static MultipartForm parse(Buffer body, String contentType) {
    if (!isMultipart(contentType)) {
      throw new IllegalArgumentException("Request body must be multipart/form-data.");
    }
    String boundary = parameters(contentType).get("boundary");
    if (boundary == null || !BOUNDARY.matcher(boundary).matches()) {
      throw new IllegalArgumentException("The multipart content type names no valid boundary.");
    }
    // the body is read where it lies (never copied): it may be tens of megabytes
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    byte[] lineDelimiter = concat(CRLF, delimiter);
    int at = startsWith(body, delimiter, 0) ? 0 : indexOf(body, lineDelimiter, 0) + 2;
    if (at < 2 && !startsWith(body, delimiter, 0)) {
      throw new IllegalArgumentException("The multipart body has no part.");
    }
    List<Part> parts = new ArrayList<>();
    while (true) {
      int after = at + delimiter.length;
      if (startsWith(body, new byte[] {'-', '-'}, after)) {
        return new MultipartForm(body, contentType, List.copyOf(parts)); // the closing delimiter
      }
      // a delimiter line holds nothing but padding: else the provider may not see a part here
      while (after < body.length() && (body.getByte(after) == ' ' || body.getByte(after) == '\t')) {
        after++;
      }
      if (!startsWith(body, CRLF, after)) {
        throw new IllegalArgumentException("A multipart delimiter line holds more than the boundary.");
      }
      after += 2;
      int headersEnd = startsWith(body, CRLF, after) ? after - 2 : indexOf(body, HEADERS_END, after);
      if (headersEnd < 0) {
        throw new IllegalArgumentException("A multipart part has no end of headers.");
      }
      String headers = headersEnd <= after ? "" : body.getString(after, headersEnd, "UTF-8");
      int start = headersEnd + 4;
      int next = indexOf(body, lineDelimiter, start);
      if (next < 0) {
        throw new IllegalArgumentException("The multipart body ends before its closing boundary.");
      }
      if (parts.size() == MAX_PARTS) {
        throw new IllegalArgumentException("A multipart form may hold at most " + MAX_PARTS + " parts.");
      }
      parts.add(part(headers, start, next));
      at = next + 2;
    }
  }

  /**
   * A part's headers: one {@code Content-Disposition: form-data} with one {@code name}; a file when
   * it names a file name (text fields may have a content type too). Anything a provider could read
   * otherwise than the gateway (two dispositions, a parameter twice) is refused.
   */
  private static Part part(String headers, int start, int end) {
    Map<String, String> disposition = null;
    for (String line : headers.split("\r\n")) {
      if (line.regionMatches(true, 0, "content-disposition:", 0, 20)) {
        String value = line.substring(20).strip();
        if (disposition != null || !value.toLowerCase(Locale.ROOT).startsWith("form-data")) {
          throw new IllegalArgumentException("A multipart part needs exactly one Content-Disposition: form-data.");
        }
        disposition = parameters(value);
      }
    }
    if (disposition == null || disposition.get("name") == null) {
      throw new IllegalArgumentException("A multipart part has no Content-Disposition name.");
    }
    return new Part(disposition.get("name"), disposition.containsKey("filename") || disposition.containsKey("filename*"),
        start, end);
  }

  /**
   * The parameters of a header value ({@code type; a=b; c="d"}), by lower-cased name; a quoted value
   * may escape a character with a backslash.
   *
   * @throws IllegalArgumentException when a parameter repeats or a value is malformed
   */
  static Map<String, String> parameters(String value) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = value.indexOf(';');
    while (i >= 0) {
      int eq = value.indexOf('=', i + 1);
      int semi = value.indexOf(';', i + 1);
      if (eq < 0 || semi >= 0 && semi < eq) {
        if (!value.substring(i + 1, semi < 0 ? value.length() : semi).isBlank()) {
          throw new IllegalArgumentException("A multipart header has a parameter without a value.");
        }
        i = semi;
        continue;
      }
      String name = value.substring(i + 1, eq).strip().toLowerCase(Locale.ROOT);
      int j = eq + 1;
      String v;
      if (j < value.length() && value.charAt(j) == '"') {
        StringBuilder quoted = new StringBuilder();
        for (j++; j < value.length() && value.charAt(j) != '"'; j++) {
          quoted.append(value.charAt(value.charAt(j) == '\\' && j + 1 < value.length() ? ++j : j));
        }
        int rest = j + 1;
        while (rest < value.length() && Character.isWhitespace(value.charAt(rest))) {
          rest++;
        }
        if (j >= value.length() || rest < value.length() && value.charAt(rest) != ';') {
          throw new IllegalArgumentException("A multipart header has a malformed quoted parameter.");
        }
        v = quoted.toString();
        i = rest < value.length() ? rest : -1;
      } else {
        v = value.substring(j, semi < 0 ? value.length() : semi).strip();
        i = semi;
      }
      if (name.isEmpty() || out.putIfAbsent(name, v) != null) {
        throw new IllegalArgumentException("A multipart header names a parameter twice, or none.");
      }
    }
    return out;
  }

  /** The first part named {@code name}, or null. */
  public Part part(String name) {
    for (Part p : parts) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    return null;
  }

  /** The text of the (non-file) field {@code name}, or null when there is none. */
  public String field(String name) {
    Part p = part(name);
    return p == null || p.file() ? null : body.getString(p.start(), p.end(), "UTF-8");
  }

  /**
   * The body with the content of each text field named in {@code values} replaced by its value, every
   * other byte as received; itself when nothing changes. The one way the gateway alters an upload
   * (ADR 0054): the model name, and the answer format asked of the provider.
   */
  public Buffer withFields(Map<String, String> values) {
    Buffer out = null;
    int copied = 0;
    for (Part p : parts) {
      String value = p.file() ? null : values.get(p.name());
      if (value == null || value.equals(body.getString(p.start(), p.end(), "UTF-8"))) {
        continue;
      }
      if (out == null) {
        out = Buffer.buffer(body.length() + 256);
      }
      out.appendBuffer(body, copied, p.start() - copied).appendString(value, "UTF-8");
      copied = p.end();
    }
    return out == null ? body : out.appendBuffer(body, copied, body.length() - copied);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static boolean startsWith(Buffer haystack, byte[] needle, int at) {
    if (at < 0 || at + needle.length > haystack.length()) {
      return false;
    }
    for (int j = 0; j < needle.length; j++) {
      if (haystack.getByte(at + j) != needle[j]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(Buffer haystack, byte[] needle, int from) {
    for (int i = from; i <= haystack.length() - needle.length; i++) {
      if (haystack.getByte(i) == needle[0] && startsWith(haystack, needle, i)) {
        return i;
      }
    }
    return -1;
  }
}
