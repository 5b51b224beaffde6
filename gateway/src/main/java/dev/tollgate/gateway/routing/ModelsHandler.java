package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayRequest;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/models}: the exact model names of the key's route policy that the key may use. */
public final class ModelsHandler implements Handler<RoutingContext> {

  private final RoutePlanner planner;

  public ModelsHandler(RoutePlanner planner) {
    this.planner = planner;
  }

  @Override
  public void handle(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    planner.plan(req.apiKey(), req.tenant()).onSuccess(plan -> {
      JsonArray data = new JsonArray();
      plan.ifPresent(p -> RoutePlanner.listModels(p, req.apiKey(), req.tenant()).forEach(m -> data.add(
          new JsonObject().put("id", m).put("object", "model").put("created", 0).put("owned_by", "tollgate"))));
      ctx.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("object", "list").put("data", data).toBuffer());
    }).onFailure(ctx::fail);
  }
}
