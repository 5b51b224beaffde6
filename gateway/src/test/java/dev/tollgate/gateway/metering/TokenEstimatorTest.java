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
  private static final long SYSTEM = O200K.countTokensOrdinary("Be brief.");
  private static final long HELLO = O200K.countTokensOrdinary("Say hello");
  private static final long USER = O200K.countTokensOrdinary("user");

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

    JsonObject text = new JsonObject("{\"instructions\":\"Be brief.\",\"input\":\"Say hello\"}");
    assertThat(tokens.responsesPrompt(text)).isEqualTo(3 + SYSTEM + 3 + USER + HELLO);

    JsonObject items = new JsonObject("{\"input\":["
        + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Say hello\"},{\"type\":\"input_image\",\"image_url\":\"https://x/y.png\"}]},"
        + "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"},"
        + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"sunny\"}],"
        + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\"}]}");
    long expected = 3 + (3 + USER + HELLO + TokenEstimator.IMAGE_TOKENS)
        + O200K.countTokensOrdinary("get_weather") + O200K.countTokensOrdinary("{\"city\":\"Paris\"}")
        + O200K.countTokensOrdinary("sunny")
        + O200K.countTokensOrdinary(items.getJsonArray("tools").encode());
    assertThat(tokens.responsesPrompt(items)).isEqualTo(expected);
  }

  /**
   * An Anthropic Messages body counts like the same conversation sent to chat: the system prompt
   * (a string or text blocks), then each message with its role and content blocks (text, images,
   * thinking, tool calls and their results; other blocks at a fixed count), tools and the priming.
   */
  @Test
  void a_messages_body_counts_its_system_messages_blocks_and_tools() {
    TokenEstimator tokens = new TokenEstimator();
    long assistant = O200K.countTokensOrdinary("assistant");

    JsonObject plain = new JsonObject("{\"model\":\"m\",\"max_tokens\":10,\"system\":\"Be brief.\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}");
    assertThat(tokens.messagesPrompt(plain)).isEqualTo(3 + SYSTEM + 3 + USER + HELLO);

    JsonObject blocks = new JsonObject("{\"model\":\"m\",\"max_tokens\":10,"
        + "\"system\":[{\"type\":\"text\",\"text\":\"Be brief.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
        + "\"messages\":["
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Say hello\"},"
        + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}}]},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"The user wants weather.\",\"signature\":\"abc\"},"
        + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"sunny\"}]},"
        + "{\"type\":\"document\",\"source\":{\"type\":\"url\",\"url\":\"https://x/y.pdf\"}}]}],"
        + "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}}]}");
    long expected = 3 + SYSTEM
        + 3 + USER + HELLO + TokenEstimator.IMAGE_TOKENS
        + 3 + assistant + O200K.countTokensOrdinary("The user wants weather.")
        + O200K.countTokensOrdinary("get_weather") + O200K.countTokensOrdinary("{\"city\":\"Paris\"}")
        + 3 + USER + O200K.countTokensOrdinary("sunny") + TokenEstimator.OPAQUE_PART_TOKENS
        + O200K.countTokensOrdinary(blocks.getJsonArray("tools").encode());
    assertThat(tokens.messagesPrompt(blocks)).isEqualTo(expected);
  }

  /**
   * A legacy completions body counts its prompt as raw text, no message overhead, in each of the
   * four forms OpenAI documents (token ids as given), plus the fill-in-the-middle suffix.
   */
  @Test
  void a_completions_body_counts_its_prompts_as_raw_text_and_its_suffix() {
    TokenEstimator tokens = new TokenEstimator();
    long before = O200K.countTokensOrdinary("def add(a, b):\n    ");
    long after = O200K.countTokensOrdinary("\n\nprint(add(1, 2))");

    assertThat(tokens.completionsPrompt(new JsonObject().put("prompt", "Say hello"))).isEqualTo(HELLO);
    assertThat(tokens.completionsPrompt(new JsonObject()
        .put("prompt", "def add(a, b):\n    ").put("suffix", "\n\nprint(add(1, 2))"))).isEqualTo(before + after);
    assertThat(tokens.completionsPrompt(new JsonObject("{\"prompt\":[\"Say hello\",\"Be brief.\"]}"))).isEqualTo(HELLO + SYSTEM);
    assertThat(tokens.completionsPrompt(new JsonObject("{\"prompt\":[1212,318,257]}"))).isEqualTo(3);
    assertThat(tokens.completionsPrompt(new JsonObject("{\"prompt\":[[1212,318],[257]],\"suffix\":null}"))).isEqualTo(3);
  }
}
