package dev.tollgate.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** Request and token rate limits over fixed one-minute windows, exact across gateway replicas. */
public class RateLimits {

  @Default("0")
  @Min(0)
  @JsonPropertyDescription("Requests per minute. 0 (default) = no limit.")
  private long requestsPerMinute;

  @Default("0")
  @Min(0)
  @JsonPropertyDescription("Tokens (input + output) per minute. 0 (default) = no limit.")
  private long tokensPerMinute;

  public RateLimits() {}

  public RateLimits(long requestsPerMinute, long tokensPerMinute) {
    this.requestsPerMinute = requestsPerMinute;
    this.tokensPerMinute = tokensPerMinute;
  }

  public long getRequestsPerMinute() {
    return requestsPerMinute;
  }

  public void setRequestsPerMinute(long requestsPerMinute) {
    this.requestsPerMinute = requestsPerMinute;
  }

  public long getTokensPerMinute() {
    return tokensPerMinute;
  }

  public void setTokensPerMinute(long tokensPerMinute) {
    this.tokensPerMinute = tokensPerMinute;
  }
}
