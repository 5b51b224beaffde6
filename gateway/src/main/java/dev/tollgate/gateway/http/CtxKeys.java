package dev.tollgate.gateway.http;

/** RoutingContext data keys; per-request state lives in one {@link GatewayRequest}. */
public final class CtxKeys {
  public static final String REQUEST = "tollgate.request";

  private CtxKeys() {}
}
