package dev.tollgate.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelPatternTest {

  @Test
  void matchesExactNamesAndGlobs() {
    assertThat(ModelPattern.matches("gpt-4o", "gpt-4o")).isTrue();
    assertThat(ModelPattern.matches("gpt-4o", "gpt-4o-mini")).isFalse();
    assertThat(ModelPattern.matches("gpt-4o*", "gpt-4o-mini")).isTrue();
    assertThat(ModelPattern.matches("claude-*-sonnet", "claude-3-5-sonnet")).isTrue();
    assertThat(ModelPattern.matches("claude-*-sonnet", "claude-3-5-haiku")).isFalse();
    assertThat(ModelPattern.matches("*", "anything")).isTrue();
    assertThat(ModelPattern.matchesAny(List.of(), "gpt-4o")).isFalse();
  }

  @Test
  void coversDecidesWhetherAKeyIsNarrowerThanItsTenant() {
    assertThat(ModelPattern.covers("*", "gpt-4o*")).isTrue();
    assertThat(ModelPattern.covers("gpt-*", "gpt-4o*")).isTrue();
    assertThat(ModelPattern.covers("gpt-4o*", "gpt-4o-mini")).isTrue();
    assertThat(ModelPattern.covers("gpt-4o*", "gpt-*")).isFalse();
    assertThat(ModelPattern.covers("gpt-4o", "gpt-4o*")).isFalse();
    assertThat(ModelPattern.covers("gpt-4o-mini", "gpt-4o")).isFalse();
  }
}
