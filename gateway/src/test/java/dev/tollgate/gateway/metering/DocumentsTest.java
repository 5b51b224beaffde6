package dev.tollgate.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.http.GatewayRequest.Endpoint;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which prompt parts are documents the tokenizer cannot count (ADR 0055), per API. */
class DocumentsTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "CHAT|{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"file-1\"}}]}]}|true",
      "CHAT|{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/a.png\"}}]}]}|false",
      "CHAT|{\"messages\":[{\"role\":\"user\",\"content\":\"a file, typed as text\"}]}|false",
      "RESPONSES|{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"file-1\"}]}]}|true",
      "RESPONSES|{\"input\":\"plain\"}|false",
      "MESSAGES|{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"JVBE\"}}]}]}|true",
      "MESSAGES|{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"file\",\"file_id\":\"f\"}}]}]}|true",
      "MESSAGES|{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"url\",\"url\":\"https://x\"}}]}]}]}|true",
      "MESSAGES|{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"text\",\"data\":\"t\"}}]}]}|false",
      "GENERATE_CONTENT|{\"contents\":[{\"parts\":[{\"inlineData\":{\"mimeType\":\"application/pdf\",\"data\":\"JVBE\"}}]}]}|true",
      "GENERATE_CONTENT|{\"contents\":[{\"parts\":[{\"inline_data\":{\"mime_type\":\"audio/mp3\",\"data\":\"AA\"}}]}]}|true",
      "GENERATE_CONTENT|{\"contents\":[{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"AA\"}}]}]}|false",
      "EMBEDDINGS|{\"input\":[{\"type\":\"file\"}]}|false"})
  void detectsDocumentsInThePromptOnly(Endpoint endpoint, String body, boolean expected) {
    assertThat(Documents.uncountable(endpoint, new JsonObject(body))).isEqualTo(expected);
  }
}
