package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.provider.UpstreamError;

/** An upstream call failed in a way the router may fall back from. */
public final class UpstreamException extends RuntimeException {

  private final UpstreamError error;

  public UpstreamException(UpstreamError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public UpstreamError error() {
    return error;
  }
}
