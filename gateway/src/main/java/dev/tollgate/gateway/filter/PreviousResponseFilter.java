package dev.tollgate.gateway.filter;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.store.ResponseStore;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Pins a Responses API request that continues a stored response ({@code previous_response_id}) to
 * the provider entry that stored it (ADR 0050): the state lives in that provider account, so the
 * route narrows to its targets (retries and fallback among them only; the reservation prices only
 * them), and the conversation it replays is reserved as input (its size, kept in the pin). An id this tenant did not store through this route policy (unknown, expired, deleted, or
 * another tenant's) is OpenAI's 400 {@code previous_response_not_found}, before admission: no
 * provider is called, nothing is counted or reserved. Runs after {@link ModelFilter}; costs one
 * Redis {@code GET}, only when the body names a previous response.
 */
public final class PreviousResponseFilter implements Handler<RoutingContext> {

  private final ResponseStore responses;

  public PreviousResponseFilter(ResponseStore responses) {
    this.responses = responses;
  }

  @Override
  public void handle(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    if (!(req.body().getValue("previous_response_id") instanceof String id)) {
      ctx.next(); // ParseFilter refused any other type
      return;
    }
    if (!ResponseStore.validId(id)) {
      ctx.fail(GatewayError.invalidRequest("Invalid 'previous_response_id': expected an ID of letters, digits, "
          + "underscores or dashes.", "previous_response_id"));
      return;
    }
    responses.lookup(req.tenant().tenantId(), id).onSuccess(pin -> {
      if (pin.isEmpty() || !pin.get().policy().equals(req.plan().policy())) {
        ctx.fail(GatewayError.previousResponseNotFound(id));
        return;
      }
      String provider = pin.get().provider();
      List<RoutePlan.Target> pinned = new ArrayList<>(req.route().targets().size());
      for (RoutePlan.Target t : req.route().targets()) {
        if (t.provider().equals(provider)) {
          pinned.add(t);
        }
      }
      if (pinned.isEmpty()) {
        ctx.fail(GatewayError.previousResponseNotRoutable(id, req.model()));
        return;
      }
      req.continues(pin.get().tokens());
      RoutePlan.Route route = req.route();
      req.routed(req.plan(), pinned.size() == route.targets().size() ? route
          : new RoutePlan.Route(route.match(), pinned, route.fallbackOn()));
      ctx.next();
    }).onFailure(ctx::fail);
  }
}
