package dev.tollgate.schema;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** A UTC calendar period a spend cap limit is counted over. */
public enum Period {
  Day,
  Month;

  /** Stable key of the period containing {@code at}: {@code D20261123} or {@code M202611}. */
  public String key(Instant at) {
    LocalDate d = LocalDate.ofInstant(at, ZoneOffset.UTC);
    return switch (this) {
      case Day -> String.format("D%04d%02d%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
      case Month -> String.format("M%04d%02d", d.getYear(), d.getMonthValue());
    };
  }

  /** Start (inclusive) of the period containing {@code at}. */
  public Instant start(Instant at) {
    LocalDate d = LocalDate.ofInstant(at, ZoneOffset.UTC);
    LocalDate first = this == Day ? d : d.withDayOfMonth(1);
    return first.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** When the period containing {@code at} ends and its counter resets. */
  public Instant reset(Instant at) {
    ZonedDateTime start = start(at).atZone(ZoneOffset.UTC);
    return (this == Day ? start.plusDays(1) : start.plusMonths(1)).toInstant();
  }
}
