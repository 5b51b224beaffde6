package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds Server-Sent Events as the fakes write them, and reads recorded streams from test
 * resources.
 */
public final class Sse {

  private Sse() {}

  /** An event with an {@code event:} name line (Anthropic's style). */
  public static String event(String name, JsonObject data) {
    return "event: " + name + "\ndata: " + data.encode();
  }

  /** An event with only a {@code data:} line (OpenAI's and Google's style). */
  public static String data(String data) {
    return "data: " + data;
  }

  /**
   * The events of a recorded stream on the test classpath, e.g. {@code providers/anthropic/x.sse}.
   */
  public static List<String> resource(String path) {
    String text = Resources.text(path).replace("\r\n", "\n");
    List<String> events = new ArrayList<>();
    for (String block : text.split("\n\n")) {
      String e = block.strip();
      if (!e.isEmpty()) {
        events.add(e);
      }
    }
    return events;
  }

  /** Test-resource reading shared by the fakes and the tests. */
  public static final class Resources {
    private Resources() {}

    public static String text(String path) {
      try (InputStream in = Sse.class.getClassLoader().getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalArgumentException("no test resource " + path);
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public static JsonObject json(String path) {
      return new JsonObject(text(path));
    }
  }
}
