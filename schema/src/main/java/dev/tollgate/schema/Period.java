package dev.tollgate.schema;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;

/**
 * A UTC calendar period a spend cap limit is counted over, or {@link #Total}: a lifetime budget
 * (prepaid credit) that never resets (ADR 0048).
 */
public enum Period {
  Day,
  /** ISO week: Monday 00:00 UTC to the next Monday. */
  Week,
  Month,
  /** Never resets: the counter is kept for as long as the cap's name is (its key has no TTL). */
  Total;

  /**
   * Stable key of the period containing {@code at}: {@code D20261123}, {@code W2026-48} (ISO
   * week-based year and week: 2026-12-31 is in {@code W2026-53}, 2027-01-03 too), {@code M202611},
   * or {@code T} for Total (one period forever).
   */
  public String key(Instant at) {
    LocalDate d = LocalDate.ofInstant(at, ZoneOffset.UTC);
    return switch (this) {
      case Day -> String.format("D%04d%02d%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
      case Week -> String.format("W%04d-%02d", d.get(IsoFields.WEEK_BASED_YEAR), d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
      case Month -> String.format("M%04d%02d", d.getYear(), d.getMonthValue());
      case Total -> "T";
    };
  }

  /** False for {@link #Total}, whose counter never resets: it has no {@link #start} nor {@link #reset}. */
  public boolean resets() {
    return this != Total;
  }

  /** Start (inclusive) of the period containing {@code at}; not for {@link #Total}. */
  public Instant start(Instant at) {
    LocalDate d = LocalDate.ofInstant(at, ZoneOffset.UTC);
    LocalDate first = switch (this) {
      case Day -> d;
      case Week -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case Month -> d.withDayOfMonth(1);
      case Total -> throw new IllegalStateException("a Total period never starts nor resets");
    };
    return first.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** When the period containing {@code at} ends and its counter resets; not for {@link #Total} (see {@link #resets}). */
  public Instant reset(Instant at) {
    ZonedDateTime start = start(at).atZone(ZoneOffset.UTC);
    ZonedDateTime end = switch (this) {
      case Day -> start.plusDays(1);
      case Week -> start.plusWeeks(1);
      default -> start.plusMonths(1);
    };
    return end.toInstant();
  }

  /**
   * How long a period's spend counters outlive it: a week and a day for Day and Week, 40 days for
   * Month (long enough for the operator to report on the previous month; ADR 0048).
   */
  public Duration counterGrace() {
    return this == Month ? Duration.ofDays(40) : Duration.ofDays(8);
  }

  /**
   * When a spend counter of the period containing {@code at} expires, in epoch seconds; 0 for
   * {@link #Total}, whose counter is billing state and never expires. The gateway and the operator
   * (which may recreate a lost counter) both give counters this expiry.
   */
  public long counterExpiresAtSecond(Instant at) {
    return resets() ? reset(at).plus(counterGrace()).getEpochSecond() : 0;
  }
}
