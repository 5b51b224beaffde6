package dev.tollgate.operator.reconciler;

import dev.tollgate.operator.api.v1alpha1.TenantStatus.MonthToDate;
import dev.tollgate.operator.redis.ConfigWriter;
import dev.tollgate.schema.CounterFields;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The gateway's month totals hash turned into a {@link MonthToDate}: the tenant's own fields or one key's. */
final class MonthTotals {

  private MonthTotals() {}

  /** The tenant's month totals hash for the month of {@code now}; empty before its first request. */
  static Map<String, String> read(ConfigWriter writer, TenantId id, Instant now) {
    return writer.readCounters(RedisKeys.totals(id, Period.Month.key(now)));
  }

  /**
   * Usage from {@code totals}, each field named through {@code field} (identity for the tenant,
   * {@link CounterFields#perKey} for a key); null when there is none yet.
   */
  static MonthToDate usage(Map<String, String> totals, UnaryOperator<String> field, String currency, Instant now) {
    // settle.lua writes every field of a request at once, requests included.
    if (!totals.containsKey(field.apply(CounterFields.REQUESTS))) {
      return null;
    }
    MonthToDate m = new MonthToDate();
    m.setMonth(YearMonth.from(now.atZone(ZoneOffset.UTC)).toString());
    m.setRequests(TenantReconciler.number(totals, field.apply(CounterFields.REQUESTS)));
    m.setInputTokens(TenantReconciler.number(totals, field.apply(CounterFields.TOKENS_IN)));
    m.setOutputTokens(TenantReconciler.number(totals, field.apply(CounterFields.TOKENS_OUT)));
    m.setProviderCost(Money.format(TenantReconciler.number(totals, field.apply(CounterFields.COST_MICROS))));
    m.setBilled(Money.format(TenantReconciler.number(totals, field.apply(CounterFields.BILLED_MICROS))));
    m.setCurrency(currency);
    return m;
  }
}
