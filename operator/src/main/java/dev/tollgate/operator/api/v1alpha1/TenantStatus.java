package dev.tollgate.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Observed state of a Tenant. */
public class TenantStatus extends TollgateStatus {

  @JsonPropertyDescription("Usage of the current UTC calendar month, read from the gateway's counters at each reconcile (at least every resync interval). Absent until the first request.")
  private MonthToDate monthToDate;

  public MonthToDate getMonthToDate() {
    return monthToDate;
  }

  public void setMonthToDate(MonthToDate monthToDate) {
    this.monthToDate = monthToDate;
  }

  /** A month's totals as recorded by the gateway, for a Tenant or one ApiKey. Amounts are decimal strings in the tenant's currency. */
  public static class MonthToDate {

    @JsonPropertyDescription("The month, `YYYY-MM` (UTC).")
    private String month;

    @JsonPropertyDescription("Requests settled this month.")
    private long requests;

    @JsonPropertyDescription("Input (prompt) tokens this month.")
    private long inputTokens;

    @JsonPropertyDescription("Output (completion) tokens this month.")
    private long outputTokens;

    @JsonPropertyDescription("What the providers charged, decimal in the tenant's currency.")
    private String providerCost;

    @JsonPropertyDescription("Usage billed to the tenant (provider cost with markup; 0 on Flat), decimal.")
    private String billed;

    @JsonPropertyDescription("What to invoice for the month so far: billed usage plus the monthly fee or flat price, decimal. Tenant only.")
    private String invoice;

    @JsonPropertyDescription("invoice minus providerCost, decimal; negative when the tenant costs more than it pays. Tenant only.")
    private String margin;

    @JsonPropertyDescription("ISO 4217 currency of the amounts.")
    private String currency;

    public String getMonth() {
      return month;
    }

    public void setMonth(String month) {
      this.month = month;
    }

    public long getRequests() {
      return requests;
    }

    public void setRequests(long requests) {
      this.requests = requests;
    }

    public long getInputTokens() {
      return inputTokens;
    }

    public void setInputTokens(long inputTokens) {
      this.inputTokens = inputTokens;
    }

    public long getOutputTokens() {
      return outputTokens;
    }

    public void setOutputTokens(long outputTokens) {
      this.outputTokens = outputTokens;
    }

    public String getProviderCost() {
      return providerCost;
    }

    public void setProviderCost(String providerCost) {
      this.providerCost = providerCost;
    }

    public String getBilled() {
      return billed;
    }

    public void setBilled(String billed) {
      this.billed = billed;
    }

    public String getInvoice() {
      return invoice;
    }

    public void setInvoice(String invoice) {
      this.invoice = invoice;
    }

    public String getMargin() {
      return margin;
    }

    public void setMargin(String margin) {
      this.margin = margin;
    }

    public String getCurrency() {
      return currency;
    }

    public void setCurrency(String currency) {
      this.currency = currency;
    }
  }
}
