package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Drives the README's local path end to end: the real operator and gateway jars (built earlier in the
 * reactor) started by the launcher on the repository's {@code examples/}, then the curl line it prints,
 * executed as printed.
 */
class LocalStackTest {

  private static final Pattern CURL =
      Pattern.compile("curl (\\S+) -H 'Authorization: Bearer (\\S+)' -H 'Content-Type: application/json' -d '(.+)'");

  @Test
  void printedCurlLineReturnsACompletionFromTheDemoProvider() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new Tee(captured, System.out), true, StandardCharsets.UTF_8);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (LocalStack stack = new LocalStack(
        new LocalStack.Options(root.resolve("examples"), root, port, Map.of(), out)).start()) {
      String printed = captured.toString(StandardCharsets.UTF_8);
      assertThat(printed).contains("DEMO provider").contains("Tollgate is running");
      Matcher m = CURL.matcher(printed);
      assertThat(m.find()).as("a curl line is printed:\n%s", printed).isTrue();

      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(m.group(1)))
              .header("Authorization", "Bearer " + m.group(2))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(m.group(3))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      var body = new ObjectMapper().readTree(r.body());
      assertThat(body.at("/choices/0/message/content").asText()).contains("DEMO provider");
      assertThat(body.at("/usage/total_tokens").asLong()).isPositive();

      String streamBody = m.group(3).replaceFirst("\\{", "{\"stream\":true,");
      HttpResponse<String> s = http.send(HttpRequest.newBuilder(URI.create(m.group(1)))
              .header("Authorization", "Bearer " + m.group(2))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(streamBody)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(s.statusCode()).isEqualTo(200);
      assertThat(s.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
      assertThat(s.body().trim()).endsWith("data: [DONE]").contains("DEMO");

      // Claude Code / the Anthropic SDKs: /v1/messages with the key as x-api-key, to the demo's
      // Anthropic side, billed from Anthropic's usage
      String messages = "{\"model\":\"claude-3-5-sonnet\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}";
      URI messagesUri = URI.create(m.group(1).replace("/v1/chat/completions", "/v1/messages"));
      HttpResponse<String> claude = http.send(HttpRequest.newBuilder(messagesUri)
              .header("x-api-key", m.group(2)).header("anthropic-version", "2023-06-01")
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(messages)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(claude.statusCode()).as(claude.body()).isEqualTo(200);
      var message = new ObjectMapper().readTree(claude.body());
      assertThat(message.at("/content/0/text").asText()).contains("DEMO provider");
      assertThat(message.at("/usage/output_tokens").asLong()).isPositive();
      assertThat(claude.headers().firstValue("x-tollgate-cost-micros")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
      HttpResponse<String> claudeStream = http.send(HttpRequest.newBuilder(messagesUri)
              .header("x-api-key", m.group(2)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(messages.replaceFirst("\\{", "{\"stream\":true,"))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(claudeStream.statusCode()).isEqualTo(200);
      assertThat(claudeStream.body()).contains("event: content_block_delta").contains("DEMO");
      assertThat(claudeStream.body().trim()).endsWith("{\"type\":\"message_stop\"}");

      // the Responses API and legacy completions (code completion tools), answered and streamed, billed
      for (String[] call : new String[][] {
          {"/v1/responses", "{\"model\":\"gpt-4o\",\"input\":\"Hello!\"}", "/output/0/content/0/text", "event: response.completed"},
          {"/v1/completions", "{\"model\":\"gpt-4o\",\"prompt\":\"def add(a, b):\",\"max_tokens\":64}", "/choices/0/text", "data: [DONE]"}}) {
        URI uri = URI.create(m.group(1).replace("/v1/chat/completions", call[0]));
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + m.group(2)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(call[1])).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(call[0] + ": " + answer.body()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(answer.body()).at(call[2]).asText()).contains("DEMO provider");
        assertThat(answer.headers().firstValue("x-tollgate-cost-micros")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
        HttpResponse<String> streamed = http.send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + m.group(2)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(call[1].replaceFirst("\\{", "{\"stream\":true,"))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).as(call[0]).contains("DEMO").contains(call[3]);
      }

      // image generation, billed from the tokens the demo reports
      HttpResponse<String> image = post(http, m, "/v1/images/generations", "{\"model\":\"gpt-image-1\",\"prompt\":\"A sea otter\",\"n\":2}");
      assertThat(image.statusCode()).as(image.body()).isEqualTo(200);
      assertThat(new ObjectMapper().readTree(image.body()).at("/data/1/revised_prompt").asText()).contains("DEMO provider");
      assertThat(image.headers().firstValue("x-tollgate-cost-micros")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());

      // moderation without a model: OpenAI's default model, routed and recorded, free
      HttpResponse<String> moderation = post(http, m, "/v1/moderations", "{\"input\":\"Hello!\"}");
      assertThat(moderation.statusCode()).as(moderation.body()).isEqualTo(200);
      assertThat(new ObjectMapper().readTree(moderation.body()).at("/model").asText()).isEqualTo("omni-moderation-latest");
      assertThat(new ObjectMapper().readTree(moderation.body()).at("/results/0/flagged").asBoolean(true)).isFalse();
      assertThat(moderation.headers().firstValue("x-tollgate-cost-micros")).contains("0");

      // audio: speech answers the demo's labelled silence, a transcription its labelled text; both billed
      HttpResponse<byte[]> speech = http.send(HttpRequest.newBuilder(URI.create(m.group(1).replace("/v1/chat/completions",
                  "/v1/audio/speech")))
              .header("Authorization", "Bearer " + m.group(2)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tts-1\",\"input\":\"Hello\",\"voice\":\"alloy\"}")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(speech.statusCode()).isEqualTo(200);
      assertThat(speech.headers().firstValue("content-type")).contains("audio/wav");
      assertThat(new String(speech.body(), java.nio.charset.StandardCharsets.US_ASCII)).startsWith("RIFF").contains("DEMO provider");
      assertThat(speech.headers().firstValue("x-tollgate-cost-micros")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
      String form = "--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
          + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF-audio\r\n--b--\r\n";
      HttpResponse<String> transcript = http.send(HttpRequest.newBuilder(URI.create(m.group(1).replace("/v1/chat/completions",
                  "/v1/audio/transcriptions")))
              .header("Authorization", "Bearer " + m.group(2)).header("Content-Type", "multipart/form-data; boundary=b")
              .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(transcript.statusCode()).as(transcript.body()).isEqualTo(200);
      assertThat(new ObjectMapper().readTree(transcript.body()).path("text").asText()).contains("DEMO provider");
      assertThat(transcript.headers().firstValue("x-tollgate-cost-micros")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());

      HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create(m.group(1)))
              .header("Authorization", "Bearer tg-not-a-key")
              .POST(HttpRequest.BodyPublishers.ofString(m.group(3))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(denied.statusCode()).isEqualTo(401);
    }
  }

  /** POSTs JSON {@code body} to {@code path} of the printed gateway with the printed key. */
  private static HttpResponse<String> post(HttpClient http, Matcher printed, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(printed.group(1).replace("/v1/chat/completions", path)))
            .header("Authorization", "Bearer " + printed.group(2)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Writes to two streams: the test keeps a copy while the output still shows in the report. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
