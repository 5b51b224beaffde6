package dev.tollgate.gateway.filter;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.metering.ImageRequest;
import dev.tollgate.gateway.routing.RoutePlanner;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Authorizes the requested model against the key's and the tenant's allowed models (403), then
 * resolves it through the route policy (404 when no route serves it) to the targets that can serve
 * the endpoint (400 {@code endpoint_not_supported} when none can) and have a price for the
 * provider-run tools the request enables (400 {@code tool_not_priced} when none has, ADR 0047) and,
 * for images, a price for the images asked for (400 {@code image_not_priced}, ADR 0049), for audio a
 * price that bounds it (400 {@code audio_not_priced}, ADR 0054). All
 * of it before admission: a refused request consumes no rate limit, reserves nothing and leaves no
 * usage record.
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
      RoutePlan.Route eligible = planner.eligible(r.get().plan(), r.get().route(), req.endpoint(), req.model());
      if (eligible.targets().isEmpty()) {
        ctx.fail(GatewayError.endpointNotSupported(req.model(), req.endpoint().apiName()));
        return;
      }
      if (req.tools().unpriced() != null) {
        ctx.fail(GatewayError.toolNotPriced(req.tools().unpriced(), req.tools().param()));
        return;
      }
      eligible = RoutePlanner.priced(eligible, req.tools());
      if (eligible.targets().isEmpty()) {
        ctx.fail(GatewayError.webSearchNotPriced(req.model(), req.tools().param()));
        return;
      }
      if (req.uncountableDocuments()) {
        eligible = RoutePlanner.boundedForDocuments(eligible);
        if (eligible.targets().isEmpty()) {
          ctx.fail(GatewayError.documentNotBounded(req.model()));
          return;
        }
      }
      if (req.endpoint() == GatewayRequest.Endpoint.IMAGES) {
        ImageRequest images = ImageRequest.of(req.body());
        eligible = RoutePlanner.pricedForImages(eligible, images);
        if (eligible.targets().isEmpty()) {
          ctx.fail(GatewayError.imageNotPriced(req.model(), images.size(), images.quality()));
          return;
        }
      }
      if (req.endpoint().audio()) {
        boolean speech = req.endpoint() == GatewayRequest.Endpoint.SPEECH;
        eligible = RoutePlanner.pricedForAudio(eligible, speech);
        if (eligible.targets().isEmpty()) {
          ctx.fail(GatewayError.audioNotPriced(req.model(), speech ? "speech" : "audio input"));
          return;
        }
      }
      req.routed(r.get().plan(), eligible);
      ctx.next();
    }).onFailure(ctx::fail);
  }
}
