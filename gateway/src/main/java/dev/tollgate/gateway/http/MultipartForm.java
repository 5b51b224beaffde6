package dev.tollgate.gateway.http;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
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

  private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=(?:\"([^\"]+)\"|([^;\\s]+))");
  private static final Pattern NAME = Pattern.compile("(?i);\\s*name=\"([^\"]*)\"");
  private static final Pattern FILENAME = Pattern.compile("(?i);\\s*filename\\*?=");

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
    Matcher m = BOUNDARY.matcher(contentType);
    if (!m.find()) {
      throw new IllegalArgumentException("The multipart content type names no boundary.");
    }
    byte[] delimiter = ("--" + (m.group(1) != null ? m.group(1) : m.group(2))).getBytes(StandardCharsets.ISO_8859_1);
    byte[] bytes = body.getBytes();
    int at = indexOf(bytes, delimiter, 0);
    if (at < 0) {
      throw new IllegalArgumentException("The multipart body has no part.");
    }
    List<Part> parts = new ArrayList<>();
    while (true) {
      int after = at + delimiter.length;
      if (after + 1 < bytes.length && bytes[after] == '-' && bytes[after + 1] == '-') {
        return new MultipartForm(body, contentType, List.copyOf(parts)); // the closing delimiter
      }
      int headersEnd = indexOf(bytes, new byte[] {'\r', '\n', '\r', '\n'}, after);
      if (headersEnd < 0) {
        throw new IllegalArgumentException("A multipart part has no end of headers.");
      }
      String headers = new String(bytes, after, headersEnd - after, StandardCharsets.UTF_8);
      int start = headersEnd + 4;
      int next = indexOf(bytes, concat(new byte[] {'\r', '\n'}, delimiter), start);
      if (next < 0) {
        throw new IllegalArgumentException("The multipart body ends before its closing boundary.");
      }
      parts.add(part(headers, start, next));
      at = next + 2;
    }
  }

  /** A part is a file when its disposition names a file name (text fields may have a content type too). */
  private static Part part(String headers, int start, int end) {
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
        Matcher name = NAME.matcher(line);
        if (name.find()) {
          return new Part(name.group(1), FILENAME.matcher(line).find(), start, end);
        }
      }
    }
    throw new IllegalArgumentException("A multipart part has no Content-Disposition name.");
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

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
