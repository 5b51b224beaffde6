package dev.tollgate.gateway.filter;

import dev.tollgate.gateway.http.AccessLog;
import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.concurrent.ThreadLocalRandom;

/**
 * First step of every route: a fresh request id (128 random bits) in {@code x-request-id} and the
 * request's {@link GatewayRequest}. A client-sent id is not reused: the id also names the spend
 * reservation, so it must be unique. A {@link PlatformHandler}: Vert.x Web runs it before the body handler.
 * Being every request's first step, it is also where the access log watches each request to its end.
 */
public final class RequestIdFilter implements PlatformHandler {

  private final GatewayRequest.Endpoint endpoint;
  private final AccessLog accessLog;

  public RequestIdFilter(GatewayRequest.Endpoint endpoint, AccessLog accessLog) {
    this.endpoint = endpoint;
    this.accessLog = accessLog;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String id = "req_" + hex(r.nextLong()) + hex(r.nextLong());
    GatewayRequest req = new GatewayRequest(id, endpoint);
    ctx.put(CtxKeys.REQUEST, req);
    ctx.response().putHeader("x-request-id", id);
    accessLog.watch(ctx, req);
    ctx.next();
  }

  private static String hex(long v) {
    String s = Long.toHexString(v);
    return "0".repeat(16 - s.length()) + s;
  }
}
