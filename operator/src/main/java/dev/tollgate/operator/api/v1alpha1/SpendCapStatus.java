package dev.tollgate.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a SpendCap, with live spend read from the gateway's counters. */
public class SpendCapStatus extends TollgateStatus {

  @JsonPropertyDescription("Spend per limit in the current period, read from the gateway's counters at each reconcile (at least every resync interval).")
  private List<PeriodSpend> spend = new ArrayList<>();

  public List<PeriodSpend> getSpend() {
    return spend;
  }

  public void setSpend(List<PeriodSpend> spend) {
    this.spend = spend == null ? new ArrayList<>() : spend;
  }

  /** Spend of one limit in its current period. Amounts are decimal strings in the cap's currency. */
  public static class PeriodSpend {

    @JsonPropertyDescription("`Day`, `Week`, `Month` or `Total`.")
    private String period;

    @JsonPropertyDescription("The period's key, e.g. `D20261123`, `W2026-48` (ISO week-based year and week), `M202611` (UTC), or `T` (Total).")
    private String periodKey;

    @JsonPropertyDescription("The limit, decimal.")
    private String limit;

    @JsonPropertyDescription("Settled spend in this period, decimal.")
    private String spent;

    @JsonPropertyDescription("limit - spent, at least 0, decimal: what is left of the limit (of the prepaid credit for `Total`); requests in flight may hold some of it (`reserved`).")
    private String remaining;

    @JsonPropertyDescription("Reserved for requests in flight, decimal.")
    private String reserved;

    @JsonPropertyDescription("spent as a whole percentage of limit (rounded down).")
    private long usedPercent;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyDescription("When the period ends and the counter resets (RFC 3339). Absent for `Total`, which never resets.")
    private String resetsAt;

    @JsonPropertyDescription("Alert thresholds (percent of the limit; 100 for an `Alert` cap) reached in this period, each raised once as a Warning Event `SpendThresholdReached`; one no longer reached (the limit was raised) is dropped and raised again when crossed again.")
    private List<Integer> alertsRaised = new ArrayList<>();

    public String getPeriod() {
      return period;
    }

    public void setPeriod(String period) {
      this.period = period;
    }

    public String getPeriodKey() {
      return periodKey;
    }

    public void setPeriodKey(String periodKey) {
      this.periodKey = periodKey;
    }

    public String getLimit() {
      return limit;
    }

    public void setLimit(String limit) {
      this.limit = limit;
    }

    public String getSpent() {
      return spent;
    }

    public void setSpent(String spent) {
      this.spent = spent;
    }

    public String getRemaining() {
      return remaining;
    }

    public void setRemaining(String remaining) {
      this.remaining = remaining;
    }

    public String getReserved() {
      return reserved;
    }

    public void setReserved(String reserved) {
      this.reserved = reserved;
    }

    public long getUsedPercent() {
      return usedPercent;
    }

    public void setUsedPercent(long usedPercent) {
      this.usedPercent = usedPercent;
    }

    public String getResetsAt() {
      return resetsAt;
    }

    public void setResetsAt(String resetsAt) {
      this.resetsAt = resetsAt;
    }

    public List<Integer> getAlertsRaised() {
      return alertsRaised;
    }

    public void setAlertsRaised(List<Integer> alertsRaised) {
      this.alertsRaised = alertsRaised == null ? new ArrayList<>() : alertsRaised;
    }
  }
}
