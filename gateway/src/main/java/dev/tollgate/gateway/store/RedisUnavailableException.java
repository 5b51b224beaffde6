package dev.tollgate.gateway.store;

/** Redis did not answer in time or refused the connection: the request fails closed (503). */
public final class RedisUnavailableException extends RuntimeException {
  public RedisUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
