package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.metering.SpendLedger;
import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.ProviderRegistry;
import dev.tollgate.gateway.provider.ResponsesAdapter;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.Usage;
import dev.tollgate.gateway.store.CredentialKeyring;
import dev.tollgate.gateway.store.ResponseStore;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal handler of a stored response's paths (ADR 0050): {@code GET /v1/responses/{id}},
 * {@code GET .../input_items}, {@code DELETE /v1/responses/{id}} and {@code POST .../cancel}.
 * Counted against the key's and the tenant's RPM (not TPM; nothing reserved, nothing billed, no
 * usage record); the id is looked up for the key's tenant only (another tenant's id is a 404, and
 * no provider is called); the call goes to the provider entry that stored it, with that entry's
 * credential, one attempt, and its answer is passed through (a provider error with any trace of
 * the credential removed). A deleted response is forgotten. Cancel is refused: only background
 * responses can be cancelled, and the gateway serves none.
 */
public final class StoredResponseHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(StoredResponseHandler.class);

  private final SpendLedger ledger;
  private final ResponseStore responses;
  private final RoutePlanner planner;
  private final ProviderRegistry providers;
  private final CredentialKeyring keyring;
  private final UpstreamCaller caller;

  public StoredResponseHandler(SpendLedger ledger, ResponseStore responses, RoutePlanner planner,
      ProviderRegistry providers, CredentialKeyring keyring, UpstreamCaller caller) {
    this.ledger = ledger;
    this.responses = responses;
    this.planner = planner;
    this.providers = providers;
    this.keyring = keyring;
    this.caller = caller;
  }

  /** The provider answer passed on. */
  private record Answer(String provider, int status, String contentType, Buffer body) {}

  @Override
  public void handle(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    String id = ctx.pathParam("id");
    if (!ResponseStore.validId(id)) {
      ctx.fail(GatewayError.invalidRequest("Invalid response id: expected an ID of letters, digits, underscores or dashes.",
          "response_id"));
      return;
    }
    ledger.countRequest(req)
        .compose(v -> responses.lookup(req.tenant().tenantId(), id))
        .compose(pin -> pin.isEmpty() ? Future.failedFuture(GatewayError.responseNotFound(id))
            : planner.plan(req.apiKey(), req.tenant()).compose(plan -> {
              // the state lives in the policy's provider entry that stored it: another policy's (a key
              // with its own policy) entry of the same name may be another account
              RoutePlan.Provider provider = plan.isPresent() && plan.get().policy().equals(pin.get().policy())
                  ? plan.get().providers().get(pin.get().provider()) : null;
              if (provider == null || !(providers.get(provider.type()) instanceof ResponsesAdapter adapter)) {
                return Future.failedFuture(GatewayError.responseNotFound(id));
              }
              if (req.endpoint() == GatewayRequest.Endpoint.RESPONSE_CANCEL) {
                return Future.failedFuture(GatewayError.backgroundNotSupported("Only background responses can be "
                    + "cancelled, and this gateway does not serve background responses."));
              }
              return call(ctx, req, id, plan.get(), pin.get().provider(), provider, adapter);
            }))
        .onSuccess(a -> answer(ctx, req, a))
        .onFailure(ctx::fail);
  }

  private Future<Answer> call(RoutingContext ctx, GatewayRequest req, String id, RoutePlan plan, String name,
      RoutePlan.Provider provider, ResponsesAdapter adapter) {
    String credential;
    try {
      credential = provider.sealedCredential() == null ? null : keyring.open(plan.policy(), provider.sealedCredential());
    } catch (IllegalStateException e) {
      LOG.error("request {}: {}", req.id(), e.getMessage());
      return Future.failedFuture(GatewayError.upstreamError("Provider '" + name + "' credentials unavailable."));
    }
    ProviderEndpoint endpoint = new ProviderEndpoint(name, provider.type(), provider.baseUrl(), provider.apiVersion(),
        credential, provider.headers(), provider.project(), provider.location());
    String path = "/" + id + (req.endpoint() == GatewayRequest.Endpoint.RESPONSE_INPUT_ITEMS ? "/input_items" : "");
    UpstreamRequest up = adapter.storedResponseRequest(endpoint, path, query(ctx))
        .withTraceContext(ctx.request()::getHeader);
    HttpMethod method = req.endpoint() == GatewayRequest.Endpoint.RESPONSE_DELETE ? HttpMethod.DELETE : HttpMethod.GET;
    return caller.open(up, method, RoutePlanner.timeouts(plan))
        .compose(ex -> ex.body().andThen(b -> ex.done()).map(body -> {
          int status = ex.response().statusCode();
          if (status == 401 || status == 402 || status == 403) {
            // the provider refused the gateway's credential or account, not the client's key: passed on
            // as is, an SDK would raise its authentication error and the client drop a valid key
            GatewayError g = GatewayError.upstreamError("Upstream '" + name + "' refused the gateway's credentials: "
                + OpenAiWire.classifyOpenAiError(status, body.toString(), null).redact(credential).message());
            return new Answer(name, g.status(), "application/json", g.toJson().toBuffer());
          }
          if (status / 100 != 2) {
            // providers echo the key they were sent in some errors: the same scrub as every upstream error
            body = Buffer.buffer(new UpstreamError(status, UpstreamError.Kind.CLIENT_ERROR, body.toString(), -1)
                .redact(credential).message());
          }
          return new Answer(name, status, ex.response().getHeader("content-type"), body);
        }))
        .compose(a -> method == HttpMethod.DELETE && a.status() / 100 == 2
            // gone at the provider: nothing to pin any more (a failure here only leaves a mapping that expires)
            ? responses.forget(req.tenant().tenantId(), id).otherwise(e -> null).map(a) : Future.succeededFuture(a))
        .recover(e -> {
          if (!(e instanceof UpstreamException u)) {
            return Future.failedFuture(e);
          }
          String msg = "Upstream '" + name + "' failed: " + u.error().redact(credential).message();
          return Future.failedFuture(u.error().kind() == UpstreamError.Kind.TIMEOUT
              ? GatewayError.upstreamTimeout(msg) : GatewayError.upstreamError(msg));
        });
  }

  /**
   * The client's query parameters ({@code include[]}, {@code limit}, {@code after}, {@code order}...)
   * decoded and encoded again, or null: passed on raw, a character a URI may not hold (a raw {@code |}
   * or {@code "}, which HTTP servers accept) made the upstream URL unparsable, a 500.
   */
  private static String query(RoutingContext ctx) {
    StringBuilder q = new StringBuilder();
    ctx.queryParams().forEach((name, value) -> q.append(q.length() == 0 ? "" : "&")
        .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return q.length() == 0 ? null : q.toString();
  }

  private static void answer(RoutingContext ctx, GatewayRequest req, Answer a) {
    // the provider's status is the outcome: nothing billed, whatever it was
    req.finish(new Outcome(a.status(), null, Usage.NONE, a.provider(), null, 1));
    HttpServerResponse out = ctx.response().setStatusCode(a.status())
        .putHeader("content-type", a.contentType() == null ? "application/json" : a.contentType())
        .putHeader("x-tollgate-provider", a.provider());
    req.rateLimitHeaders().forEach(out::putHeader);
    if (!out.closed()) {
      out.end(a.body());
    }
  }
}
