package dev.tollgate.gateway.filter;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.routing.RoutePlanner;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Authorizes the requested model against the key's and the tenant's allowed models (403), then
 * resolves it through the route policy (404 when no route serves it).
 */
public final class ModelFilter implements Handler<RoutingContext> {

  private final RoutePlanner planner;

  public ModelFilter(RoutePlanner planner) {
    this.planner = planner;
  }

  @Override
  public void handle(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    if (!RoutePlanner.allowed(req.apiKey(), req.tenant(), req.model())) {
      ctx.fail(GatewayError.modelNotAllowed(req.model()));
      return;
    }
    planner.resolve(req.apiKey(), req.tenant(), req.model()).onSuccess(r -> {
      if (r.isEmpty()) {
        ctx.fail(GatewayError.modelNotFound(req.model()));
        return;
      }
      req.routed(r.get().plan(), r.get().route());
      ctx.next();
    }).onFailure(ctx::fail);
  }
}
