package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class DemoProviderTest {

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> post(DemoProvider demo, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(demo.baseUrl() + "/chat/completions"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersLabelledDemoTextWithUsage() throws Exception {
    try (DemoProvider demo = DemoProvider.start(0)) {
      var r = post(demo, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      JsonNode body = new ObjectMapper().readTree(r.body());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(body.at("/choices/0/message/content").asText()).contains("DEMO provider");
      assertThat(body.at("/usage/completion_tokens").asLong()).isPositive();
      assertThat(body.at("/usage/total_tokens").asLong())
          .isEqualTo(body.at("/usage/prompt_tokens").asLong() + body.at("/usage/completion_tokens").asLong());
    }
  }

  @Test
  void streamsChunksThenUsageThenDone() throws Exception {
    try (DemoProvider demo = DemoProvider.start(0)) {
      var r = post(demo, "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");
      String[] events = r.body().split("\n\n");
      assertThat(events[events.length - 1]).isEqualTo("data: [DONE]");
      assertThat(events[events.length - 2]).contains("\"usage\"").contains("\"choices\":[]");
      StringBuilder text = new StringBuilder();
      for (String e : events) {
        JsonNode d = e.equals("data: [DONE]") ? null : new ObjectMapper().readTree(e.substring(6));
        if (d != null && d.at("/choices/0/delta/content").isTextual()) {
          text.append(d.at("/choices/0/delta/content").asText());
        }
      }
      assertThat(text.toString()).isEqualTo(DemoProvider.ANSWER);
    }
  }
}
