package dev.tollgate.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
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
}
