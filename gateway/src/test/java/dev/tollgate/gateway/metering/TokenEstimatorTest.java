package dev.tollgate.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {

  private static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  @Test
  void remembered_counts_match_the_tokenizer_across_more_texts_than_the_cache_holds() {
    TokenEstimator tokens = new TokenEstimator();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      texts.add("message " + i + (i % 3 == 0 ? " with a longer tail of words, " + Integer.toHexString(i * 7919) : ""));
    }
    for (int round = 0; round < 2; round++) {
      for (String t : texts) {
        assertThat(tokens.count(t)).as(t).isEqualTo(O200K.countTokensOrdinary(t));
      }
    }
  }

  @Test
  void a_repeated_system_prompt_counts_the_same_every_time() {
    TokenEstimator tokens = new TokenEstimator();
    String system = "You are a helpful assistant. ".repeat(200);
    long first = tokens.count(system);
    assertThat(first).isEqualTo(O200K.countTokensOrdinary(system));
    assertThat(tokens.count(system)).isEqualTo(first);
    assertThat(tokens.count(system + "!")).isEqualTo(O200K.countTokensOrdinary(system + "!"));
    assertThat(tokens.count("")).isZero();
    assertThat(tokens.count(null)).isZero();
  }

  /**
   * A Responses body counts like the same conversation sent to chat: instructions, then each input
   * item (messages with their parts, function calls and their outputs), tools and the priming.
   */
  @Test
  void a_responses_body_counts_its_instructions_input_items_and_tools() {
    TokenEstimator tokens = new TokenEstimator();
    long system = O200K.countTokensOrdinary("Be brief.");
    long hello = O200K.countTokensOrdinary("Say hello");
    long user = O200K.countTokensOrdinary("user");

    JsonObject text = new JsonObject("{\"instructions\":\"Be brief.\",\"input\":\"Say hello\"}");
    assertThat(tokens.responsesPrompt(text)).isEqualTo(3 + system + 3 + user + hello);

    JsonObject items = new JsonObject("{\"input\":["
        + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Say hello\"},{\"type\":\"input_image\",\"image_url\":\"https://x/y.png\"}]},"
        + "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"},"
        + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"sunny\"}],"
        + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\"}]}");
    long expected = 3 + (3 + user + hello + TokenEstimator.IMAGE_TOKENS)
        + O200K.countTokensOrdinary("get_weather") + O200K.countTokensOrdinary("{\"city\":\"Paris\"}")
        + O200K.countTokensOrdinary("sunny")
        + O200K.countTokensOrdinary(items.getJsonArray("tools").encode());
    assertThat(tokens.responsesPrompt(items)).isEqualTo(expected);
  }
}
