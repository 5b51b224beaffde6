package dev.tollgate.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MoneyTest {

  @Test
  void parsesDecimalStringsIntoExactMicros() {
    assertThat(Money.parseMicros("250.00")).isEqualTo(250_000_000L);
    assertThat(Money.parseMicros("0.000001")).isEqualTo(1L);
    assertThat(Money.parseMicros("3")).isEqualTo(3_000_000L);
    assertThat(Money.parseMicros("999999999999.999999")).isEqualTo(999_999_999_999_999_999L);
  }

  @Test
  void rejectsWhatIsNotAPlainDecimal() {
    for (String bad : new String[] {"-1", "1.2345678", "1e3", "", " 1", "1,00", "0x10", null}) {
      assertThatThrownBy(() -> Money.parseMicros(bad)).as(String.valueOf(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void formatsMicrosBack() {
    assertThat(Money.format(250_000_000L)).isEqualTo("250.00");
    assertThat(Money.format(1_500_000L)).isEqualTo("1.50");
    assertThat(Money.format(1L)).isEqualTo("0.000001");
    assertThat(Money.format(0L)).isEqualTo("0.00");
  }

  @Test
  void costRoundsUpToTheNextMicroSoSumsNeverUndercount() {
    // 1 token at $2.50 per million = 2.5 micros -> 3
    assertThat(Money.costMicros(1, 2_500_000L)).isEqualTo(3L);
    assertThat(Money.costMicros(1_000_000, 2_500_000L)).isEqualTo(2_500_000L);
    assertThat(Money.costMicros(0, 2_500_000L)).isZero();
  }

  @Test
  void splitCostsAreSummedExactlyThenRoundedUpOnce() {
    // 1 token at 2.5 and 1 at 0.5 micros: 3.0 exactly, not 3 + 1
    assertThat(Money.costMicros(new long[] {1, 1}, new long[] {2_500_000L, 500_000L})).isEqualTo(3L);
    assertThat(Money.costMicros(new long[] {1, 1}, new long[] {2_500_000L, 600_000L})).isEqualTo(4L);
    assertThat(Money.costMicros(new long[] {0, -5}, new long[] {2_500_000L, 1L})).isZero();
    assertThatThrownBy(() -> Money.costMicros(new long[] {1}, new long[] {1, 2})).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void markupInPartsPerMillion() {
    assertThat(Money.percentToPpm("20")).isEqualTo(200_000L);
    assertThat(Money.percentToPpm("12.5")).isEqualTo(125_000L);
    assertThat(Money.applyPpm(1_000_000L, 200_000L)).isEqualTo(200_000L);
    assertThat(Money.applyPpm(3L, 500_000L)).isEqualTo(2L); // 1.5 rounds up
  }

  @Test
  void pricingPlansBillAndCapAsDocumented() {
    Pricing markup = new Pricing(Pricing.PERCENTAGE_MARKUP, "USD", 200_000L, 0);
    assertThat(markup.usageBilledMicros(1_000_000L)).isEqualTo(1_200_000L);
    assertThat(markup.capBasisMicros(1_000_000L)).isEqualTo(1_200_000L);
    Pricing flat = new Pricing(Pricing.FLAT, "USD", 0, 500_000_000L);
    assertThat(flat.usageBilledMicros(1_000_000L)).isZero();
    assertThat(flat.capBasisMicros(1_000_000L)).as("flat caps protect the margin: provider cost").isEqualTo(1_000_000L);
  }

  @Test
  void aModelMarkupAppliesToTheModelsItMatchesFirstMatchWinning() {
    Pricing p = new Pricing(Pricing.PERCENTAGE_MARKUP, "USD", 200_000L, 0, List.of(
        new Pricing.ModelMarkup("gpt-4o", 400_000L), new Pricing.ModelMarkup("gpt-4o*", 1_000_000L)));
    assertThat(p.usageBilledMicros(1_000_000L, "gpt-4o")).isEqualTo(1_400_000L);
    assertThat(p.usageBilledMicros(1_000_000L, "gpt-4o-mini")).isEqualTo(2_000_000L);
    assertThat(p.usageBilledMicros(1_000_000L, "claude-haiku-4-5")).isEqualTo(1_200_000L);
    assertThat(p.capBasisMicros(1_000_000L, "gpt-4o")).isEqualTo(1_400_000L);
    // stored JSON: a plan without model markups keeps the bytes it had before they existed
    assertThat(ConfigCodec.toJson(new Pricing(Pricing.PERCENTAGE_MARKUP, "USD", 200_000L, 0))).doesNotContain("modelMarkups");
    assertThat(ConfigCodec.fromJson(ConfigCodec.toJson(p), Pricing.class)).isEqualTo(p);
  }
}
