package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/models}: the exact model names of the key's route policy that the key may use; and
 * {@code GET /v1/models/{model}} (the SDKs' {@code models.retrieve}): that model, when the key may
 * use it and a route serves it (a pattern route included), answered as the chat endpoint would
 * refuse it otherwise (403 {@code model_not_allowed}, 404 {@code model_not_found}).
 */
public final class ModelsHandler implements Handler<RoutingContext> {

  private final RoutePlanner planner;

  public ModelsHandler(RoutePlanner planner) {
    this.planner = planner;
  }

  @Override
  public void handle(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    String one = ctx.pathParam("param0");
    if (one != null) {
      retrieve(ctx, req, one);
      return;
    }
    planner.plan(req.apiKey(), req.tenant()).onSuccess(plan -> {
      JsonArray data = new JsonArray();
      plan.ifPresent(p -> RoutePlanner.listModels(p, req.apiKey(), req.tenant()).forEach(m -> data.add(model(m))));
      ctx.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("object", "list").put("data", data).toBuffer());
    }).onFailure(ctx::fail);
  }

  private void retrieve(RoutingContext ctx, GatewayRequest req, String model) {
    if (!RoutePlanner.allowed(req.apiKey(), req.tenant(), model)) {
      ctx.fail(GatewayError.modelNotAllowed(model));
      return;
    }
    planner.resolve(req.apiKey(), req.tenant(), model).onSuccess(r -> {
      if (r.isEmpty()) {
        ctx.fail(GatewayError.modelNotFound(model));
        return;
      }
      ctx.response().putHeader("content-type", "application/json").end(model(model).toBuffer());
    }).onFailure(ctx::fail);
  }

  private static JsonObject model(String id) {
    return new JsonObject().put("id", id).put("object", "model").put("created", 0).put("owned_by", "tollgate");
  }
}
