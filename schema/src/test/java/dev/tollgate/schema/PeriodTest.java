package dev.tollgate.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Week keys follow the ISO week-based year; Total is one period that never resets. */
class PeriodTest {

  private static Instant at(String s) {
    return Instant.parse(s);
  }

  @Test
  void weekKeysUseTheIsoWeekBasedYearAcrossAYearBoundary() {
    // 2026 starts on a Thursday: it has 53 ISO weeks, the last running to Sunday 2027-01-03
    assertThat(Period.Week.key(at("2026-12-28T00:00:00Z"))).isEqualTo("W2026-53");
    assertThat(Period.Week.key(at("2026-12-31T12:00:00Z"))).isEqualTo("W2026-53");
    assertThat(Period.Week.key(at("2027-01-03T23:59:59Z"))).isEqualTo("W2026-53");
    assertThat(Period.Week.key(at("2027-01-04T00:00:00Z"))).isEqualTo("W2027-01");
    // and the other way: Monday 2024-12-30 is in week 1 of 2025
    assertThat(Period.Week.key(at("2024-12-29T23:59:59Z"))).isEqualTo("W2024-52");
    assertThat(Period.Week.key(at("2024-12-30T00:00:00Z"))).isEqualTo("W2025-01");
    assertThat(Period.Week.key(at("2026-11-23T10:15:00Z"))).isEqualTo("W2026-48");
  }

  @Test
  void aWeekRunsFromMondayToTheNextMondayUtc() {
    Instant thursday = at("2026-12-31T23:59:59Z");
    assertThat(Period.Week.start(thursday)).isEqualTo(at("2026-12-28T00:00:00Z"));
    assertThat(Period.Week.reset(thursday)).isEqualTo(at("2027-01-04T00:00:00Z"));
    Instant monday = at("2026-11-23T00:00:00Z");
    assertThat(Period.Week.start(monday)).isEqualTo(monday);
    assertThat(Period.Week.reset(monday)).isEqualTo(at("2026-11-30T00:00:00Z"));
    Instant sunday = at("2026-11-29T23:59:59.999Z");
    assertThat(Period.Week.start(sunday)).isEqualTo(monday);
    assertThat(Period.Week.key(sunday)).isEqualTo(Period.Week.key(monday));
    assertThat(Period.Week.resets()).isTrue();
  }

  @Test
  void totalIsOnePeriodThatNeverResets() {
    assertThat(Period.Total.key(at("1999-01-01T00:00:00Z"))).isEqualTo("T");
    assertThat(Period.Total.key(at("2126-06-30T00:00:00Z"))).isEqualTo("T");
    assertThat(Period.Total.resets()).isFalse();
    assertThatThrownBy(() -> Period.Total.reset(at("2026-11-23T00:00:00Z"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Period.Total.start(at("2026-11-23T00:00:00Z"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void dayAndMonthAreUnchanged() {
    Instant at = at("2026-12-31T23:59:59Z");
    assertThat(Period.Day.key(at)).isEqualTo("D20261231");
    assertThat(Period.Month.key(at)).isEqualTo("M202612");
    assertThat(Period.Day.reset(at)).isEqualTo(at("2027-01-01T00:00:00Z"));
    assertThat(Period.Month.reset(at)).isEqualTo(at("2027-01-01T00:00:00Z"));
    assertThat(Period.Day.resets()).isTrue();
    assertThat(Period.Month.resets()).isTrue();
  }
}
