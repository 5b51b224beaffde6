package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.provider.AccessTokenAuth;
import dev.tollgate.gateway.provider.AudioAdapter;
import dev.tollgate.gateway.provider.AudioWire;
import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.CompletionsAdapter;
import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.PassThroughAnswer;
import dev.tollgate.gateway.provider.EmbeddingsAdapter;
import dev.tollgate.gateway.provider.GenerateContentAdapter;
import dev.tollgate.gateway.provider.ImagesAdapter;
import dev.tollgate.gateway.provider.ImagesWire;
import dev.tollgate.gateway.metering.ImageRequest;
import dev.tollgate.gateway.provider.CountTokensAdapter;
import dev.tollgate.gateway.provider.MessagesAdapter;
import dev.tollgate.gateway.provider.ModerationsAdapter;
import dev.tollgate.gateway.provider.ProviderAdapter;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.ProviderRegistry;
import dev.tollgate.gateway.provider.ResponsesAdapter;
import dev.tollgate.gateway.provider.ResponsesStream;
import dev.tollgate.gateway.provider.ResponsesWire;
import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.SseParser;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.gemini.GeminiAdapter;
import dev.tollgate.gateway.provider.Usage;
import dev.tollgate.gateway.store.CredentialKeyring;
import dev.tollgate.gateway.store.ResponseStore;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal handler of chat completions, legacy completions, embeddings, images, audio, the Responses API, the Anthropic Messages API and the Gemini API (and their token counts): tries the route's targets in the
 * planner's order, falling back and retrying for the route's triggers while nothing has reached the
 * client (bounded by {@code retry.maxAttempts} and {@code timeouts.totalMs}, waiting out backoff and
 * Retry-After before calling a target again), feeds target health to {@link Cooldowns}, and finishes
 * the request's outcome exactly once (success, upstream failure, or the client going away) so that
 * settle charges what was produced at the price of the target that produced it. See
 * docs/routing.md.
 */
public final class RouteHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(RouteHandler.class);
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final Vertx vertx;
  private final ProviderRegistry providers;
  private final UpstreamCaller caller;
  private final CredentialKeyring keyring;
  private final TokenEstimator tokens;
  private final GatewayMetrics metrics;
  private final Cooldowns cooldowns;
  private final AccessTokens accessTokens;
  private final ResponseStore responses;

  public RouteHandler(Vertx vertx, ProviderRegistry providers, UpstreamCaller caller, CredentialKeyring keyring,
      TokenEstimator tokens, GatewayMetrics metrics, Cooldowns cooldowns, AccessTokens accessTokens,
      ResponseStore responses) {
    this.vertx = vertx;
    this.providers = providers;
    this.caller = caller;
    this.keyring = keyring;
    this.tokens = tokens;
    this.metrics = metrics;
    this.cooldowns = cooldowns;
    this.accessTokens = accessTokens;
    this.responses = responses;
  }

  @Override
  public void handle(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    String policy = req.plan().policy();
    List<RoutePlan.Target> order = RoutePlanner.order(req.route(), req.model(), ThreadLocalRandom.current(),
        t -> cooldowns.coolingDown(Cooldowns.key(policy, t)));
    new Call(ctx, req, order).attempt(0);
  }

  /** The attempts of one request. Runs on the request's event loop only. */
  private final class Call {
    private final RoutingContext ctx;
    private final GatewayRequest req;
    private final List<RoutePlan.Target> targets;
    private final RoutePlan.Timeouts timeouts;
    private final RoutePlan.Retry retry;
    private final long deadlineNanos;
    /** Per target (same index as {@link #targets}): attempts made, when it may be called again, out of play. */
    private final int[] tries;
    private final long[] readyAtNanos;
    private final boolean[] retired;
    private final Set<String> tried = new LinkedHashSet<>();
    private int attempts;
    private String providerName;
    private RoutePlan.Target target;
    /** The credential the current attempt sends (key or access token): scrubbed from upstream error messages. */
    private String currentCredential;

    Call(RoutingContext ctx, GatewayRequest req, List<RoutePlan.Target> targets) {
      this.ctx = ctx;
      this.req = req;
      this.targets = targets;
      this.timeouts = RoutePlanner.timeouts(req.plan());
      this.retry = req.plan().retry();
      this.deadlineNanos = System.nanoTime() + timeouts.totalMs() * 1_000_000;
      this.tries = new int[targets.size()];
      this.readyAtNanos = new long[targets.size()];
      this.retired = new boolean[targets.size()];
    }

    private String cooldownKey(RoutePlan.Target t) {
      return Cooldowns.key(req.plan().policy(), t);
    }

    /** Target {@code t} failed this request: its cooldown counts it, with this plan's settings. */
    void cooldownFailed(RoutePlan.Target t, UpstreamError error) {
      cooldowns.failed(cooldownKey(t), error, req.plan().effectiveCooldown());
    }

    void attempt(int i) {
      if (ctx.response().closed()) {
        // the client left while we waited to retry: nothing was produced
        req.finish(new Outcome(499, "client_closed", Usage.NONE, providerName, target, attempts));
        return;
      }
      long remainingMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
      if (remainingMs <= 0) {
        giveUp(new UpstreamError(0, UpstreamError.Kind.TIMEOUT, "the route's total time ran out", -1));
        return;
      }
      target = targets.get(i);
      providerName = target.provider();
      RoutePlan.Provider provider = req.plan().providers().get(providerName);
      ProviderAdapter adapter = provider == null ? null : providers.get(provider.type());
      if (adapter == null) {
        LOG.warn("route policy {} target {} names an unknown provider or type", req.plan().policy(), providerName);
        retired[i] = true;
        failed(i, new UpstreamError(0, UpstreamError.Kind.CONNECT_ERROR, "provider '" + providerName + "' is not configured", -1));
        return;
      }
      String credential;
      try {
        credential = provider.sealedCredential() == null ? null : keyring.open(req.plan().policy(), provider.sealedCredential());
      } catch (IllegalStateException e) {
        credentialsUnavailable(i, e);
        return;
      }
      if (adapter instanceof AccessTokenAuth auth && credential != null) {
        // the credential is a service-account key: the provider gets an access token minted from it
        accessTokens.token(credential, auth.oauthScope(), caller, bounded(remainingMs)).onComplete(ar -> {
          if (ar.succeeded()) {
            send(i, provider, adapter, credential, ar.result());
          } else {
            countAttempt(i);
            failed(i, ar.cause() instanceof UpstreamException u ? u.error()
                : new UpstreamError(0, UpstreamError.Kind.SERVER_ERROR, "access token unavailable", -1));
          }
        });
        return;
      }
      send(i, provider, adapter, credential, credential);
    }

    /** The attempt on target {@code i} goes out, with {@code credential} (the opened one, or a token minted from it). */
    private void send(int i, RoutePlan.Provider provider, ProviderAdapter adapter, String opened, String credential) {
      long remainingMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
      if (ctx.response().closed() || remainingMs <= 0) {
        attempt(i); // the client left, or the time ran out, while the token was fetched
        return;
      }
      UpstreamRequest upstream;
      try {
        currentCredential = credential;
        ProviderEndpoint endpoint = new ProviderEndpoint(
            providerName, provider.type(), provider.baseUrl(), provider.apiVersion(), credential, provider.headers(),
            provider.project(), provider.location());
        // RoutePlanner#eligible let through only targets whose adapter serves the endpoint
        upstream = switch (req.endpoint()) {
          case EMBEDDINGS -> ((EmbeddingsAdapter) adapter).embeddingsRequest(endpoint, target.model(), req.body());
          case MODERATIONS -> ((ModerationsAdapter) adapter).moderationsRequest(endpoint, target.model(), req.body());
          case COMPLETIONS -> ((CompletionsAdapter) adapter).completionsRequest(endpoint, target.model(), req.body(), req.stream());
          case IMAGES -> ((ImagesAdapter) adapter).imagesRequest(endpoint, target.model(), req.body());
          case SPEECH -> ((AudioAdapter) adapter).speechRequest(endpoint, target.model(), req.body());
          case TRANSCRIPTIONS, TRANSLATIONS -> ((AudioAdapter) adapter).uploadRequest(endpoint,
              req.endpoint() == GatewayRequest.Endpoint.TRANSCRIPTIONS ? "audio/transcriptions" : "audio/translations",
              target.model(), req.form());
          case RESPONSES -> ((ResponsesAdapter) adapter).responsesRequest(endpoint, target.model(), req.body(), req.stream());
          case MESSAGES -> ((MessagesAdapter) adapter).messagesRequest(endpoint, target.model(), req.body(), req.stream(),
              ctx.request().getHeader("anthropic-version"), ctx.request().getHeader("anthropic-beta"));
          case COUNT_TOKENS -> ((CountTokensAdapter) adapter).countTokensRequest(endpoint, target.model(), req.body(),
              ctx.request().getHeader("anthropic-version"), ctx.request().getHeader("anthropic-beta"));
          case GENERATE_CONTENT, GEMINI_COUNT_TOKENS -> ((GenerateContentAdapter) adapter).generateContentRequest(endpoint,
              target.model(), req.body(), geminiMethod());
          default -> adapter.chatRequest(endpoint, target.model(), req.body(), req.stream());
        };
      } catch (IllegalStateException e) {
        credentialsUnavailable(i, e);
        return;
      } catch (IllegalArgumentException e) {
        untranslatable(i, GatewayError.invalidRequest(e.getMessage(), null));
        return;
      } catch (ClassCastException e) {
        // a field the translation reads has another JSON type than the API's (a content part that is
        // not an object, tools that are not objects...): the client's mistake, which OpenAI answers
        // with a 400 too; the exception's text names Java classes, not the field, so it is not shown
        untranslatable(i, GatewayError.invalidRequest("A field of the request has the wrong type for provider type '"
            + provider.type() + "': check the types of 'messages' (content parts, tool_calls), 'tools', 'tool_choice', "
            + "'response_format' and 'parallel_tool_calls' against the API reference.", null));
        return;
      }
      upstream = upstream.withTraceContext(ctx.request()::getHeader);
      countAttempt(i);
      caller.open(upstream, bounded(remainingMs)).onComplete(ar -> {
        if (ar.failed()) {
          failed(i, ((UpstreamException) ar.cause()).error());
          return;
        }
        UpstreamCaller.Exchange ex = ar.result();
        HttpClientResponse resp = ex.response();
        if (resp.statusCode() / 100 != 2) {
          if (resp.statusCode() == 401 && adapter instanceof AccessTokenAuth) {
            accessTokens.rejected(opened, credential);
          }
          ex.body().onComplete(b -> {
            ex.done();
            String text = b.succeeded() ? truncate(b.result()) : "";
            if (req.endpoint() == GatewayRequest.Endpoint.RESPONSES && req.body().getValue("previous_response_id") instanceof String prev
                && "previous_response_not_found".equals(OpenAiWire.errorCode(text))) {
              // the pinned entry no longer holds it (deleted there, or the entry's key moved to another
              // project): OpenAI's own code, which agents recover from by resending the conversation (ADR 0050)
              metrics.attempt(providerName, UpstreamError.Kind.CLIENT_ERROR.trigger());
              finishWith(GatewayError.previousResponseNotFound(prev));
              return;
            }
            failed(i, adapter.classifyError(resp.statusCode(), text, resp.getHeader("retry-after")));
          });
          return;
        }
        if (req.stream()) {
          StreamTranslator translator = switch (req.endpoint()) {
            case RESPONSES -> new ResponsesStream(req.model());
            case MESSAGES -> ((MessagesAdapter) adapter).messagesStream(req.model());
            case GENERATE_CONTENT -> ((GenerateContentAdapter) adapter).generateContentStream(req.model());
            default -> adapter.streamTranslator(req.model());
          };
          new Stream(this, i, ex, translator).start();
        } else {
          complete(i, ex, adapter);
        }
      });
    }

    /** The Gemini API method the client called, to call on the target. */
    private GenerateContentAdapter.Method geminiMethod() {
      return req.endpoint() == GatewayRequest.Endpoint.GEMINI_COUNT_TOKENS ? GenerateContentAdapter.Method.COUNT_TOKENS
          : req.stream() ? GenerateContentAdapter.Method.STREAM_GENERATE_CONTENT : GenerateContentAdapter.Method.GENERATE_CONTENT;
    }

    private void credentialsUnavailable(int i, IllegalStateException e) {
      LOG.error("request {}: {}", req.id(), e.getMessage());
      retired[i] = true;
      failed(i, new UpstreamError(0, UpstreamError.Kind.CONNECT_ERROR, "provider '" + providerName + "' credentials unavailable", -1));
    }

    /** An attempt on target {@code i} begins. */
    private void countAttempt(int i) {
      attempts++;
      tries[i]++;
      tried.add(providerName);
      cooldowns.attempting(cooldownKey(target));
    }

    /** The route's timeouts for one attempt, none beyond the time left. */
    private RoutePlan.Timeouts bounded(long remainingMs) {
      return new RoutePlan.Timeouts(Math.min(timeouts.connectMs(), remainingMs),
          Math.min(timeouts.firstByteMs(), remainingMs), remainingMs);
    }

    /**
     * This target cannot express the request (ADR 0030): it is skipped without an attempt; if no
     * other target can take the request, the client gets {@code error} (a 400).
     */
    private void untranslatable(int i, GatewayError error) {
      retired[i] = true;
      int next = nextCandidate(i, false, 0);
      if (next < 0) {
        finishWith(error);
      } else if (!attemptAfterItsWait(next)) {
        finishWith(GatewayError.upstreamTimeout("The route's total time ran out after " + attempts + " attempt(s)."));
      }
    }

    /** Calls target {@code next} once its backoff is over; false if that would outlast the total time. */
    private boolean attemptAfterItsWait(int next) {
      long delayMs = Math.max(0, (readyAtNanos[next] - System.nanoTime()) / 1_000_000);
      if (delayMs >= (deadlineNanos - System.nanoTime()) / 1_000_000) {
        return false;
      }
      if (delayMs == 0) {
        attempt(next);
      } else {
        vertx.setTimer(delayMs, id -> attempt(next));
      }
      return true;
    }

    /** One attempt failed before anything reached the client: retry, fall back, or answer the error. */
    void failed(int i, UpstreamError raw) {
      UpstreamError error = raw.redact(currentCredential);
      metrics.attempt(providerName, error.kind().trigger());
      RoutePlan.Target failedTarget = targets.get(i);
      cooldownFailed(failedTarget, error);
      long wait = Math.max(backoffMs(tries[i]), error.retryAfterMs());
      if (error.retryAfterMs() > retry.maxBackoffMs() || error.kind() == UpstreamError.Kind.CONTEXT_LENGTH) {
        retired[i] = true; // honouring its Retry-After would take too long; a larger window is needed
      }
      readyAtNanos[i] = System.nanoTime() + wait * 1_000_000;
      if (!RoutePlanner.triggers(req.route(), error) || attempts >= retry.maxAttempts()) {
        giveUp(error);
        return;
      }
      boolean needsLargerWindow = error.kind() == UpstreamError.Kind.CONTEXT_LENGTH;
      int next = nextCandidate(i, needsLargerWindow, failedTarget.contextWindow());
      if (next < 0) {
        giveUp(error);
        return;
      }
      LOG.info("request {}: {} failed ({}), attempt {} goes to {}", req.id(), providerName, error.kind().trigger(),
          attempts + 1, targets.get(next).provider());
      if (!attemptAfterItsWait(next)) {
        giveUp(error); // waiting would outlast the route's total time
      }
    }

    /**
     * The next target to try after target {@code i}: the following ones in order, then (retries)
     * from the start again; retired targets are skipped, and for a context-length failure only
     * targets with a larger window qualify. -1 when none is left.
     */
    private int nextCandidate(int i, boolean largerWindow, long window) {
      int n = targets.size();
      for (int k = 1; k <= n; k++) {
        int j = (i + k) % n;
        if (retired[j] || (largerWindow && targets.get(j).contextWindow() <= window)) {
          continue;
        }
        return j;
      }
      return -1;
    }

    /** Base backoff before calling a target again after its {@code n}th attempt, doubled each time. */
    private long backoffMs(int n) {
      long b = retry.backoffMs();
      for (int k = 1; k < n && b < retry.maxBackoffMs(); k++) {
        b *= 2;
      }
      return Math.min(b, retry.maxBackoffMs());
    }

    private void giveUp(UpstreamError error) {
      LOG.warn("request {}: upstream {} failed after {} attempt(s): {} {}", req.id(), providerName, attempts,
          error.kind().trigger(), error.message());
      String msg = "Upstream '" + providerName + "' failed after " + attempts + " attempt(s): " + error.message()
          + (tried.size() > 1 ? " (tried " + String.join(", ", tried) + ")" : "");
      GatewayError g = switch (error.kind()) {
        case TIMEOUT -> GatewayError.upstreamTimeout(msg);
        case CLIENT_ERROR, CONTEXT_LENGTH -> GatewayError.of(error.status() / 100 == 4 ? error.status() : 400,
            "invalid_request_error",
            error.kind() == UpstreamError.Kind.CONTEXT_LENGTH ? "context_length_exceeded" : "upstream_invalid_request", msg);
        default -> GatewayError.upstreamError(msg);
      };
      finishWith(g);
    }

    private void finishWith(GatewayError g) {
      req.finish(new Outcome(g.status(), g.code(), Usage.NONE, providerName, target, attempts));
      if (attempts > 0) {
        headers(ctx.response());
      }
      ctx.fail(g);
    }

    private void complete(int i, UpstreamCaller.Exchange ex, ProviderAdapter adapter) {
      ex.body().onComplete(b -> {
        ex.done();
        if (b.failed()) {
          failed(i, ((UpstreamException) b.cause()).error());
          return;
        }
        if (req.endpoint().tokenCount()) {
          answer(Usage.NONE, b.result()); // the provider's count as it is; nothing to bill
          return;
        }
        if (req.endpoint().audio()) {
          // audio, JSON or text as the client asked: passed through as it is, or the client's text, srt
          // or vtt rendered from the reporting format the provider was asked for instead (ADR 0054)
          String type = ex.response().getHeader("content-type");
          Usage usage = AudioWire.usage(req.audio(), target, req.promptTokens(), b.result(), type);
          String asked = req.endpoint().upload() ? req.body().getString("response_format") : null;
          if (AudioWire.reportingFormat(target.model(), asked) != null && type != null && type.contains("json")) {
            String rendered;
            try {
              rendered = AudioWire.render(asked, b.result().toJsonObject());
            } catch (RuntimeException e) {
              unreadable(i, e);
              return;
            }
            answer(usage, Buffer.buffer(rendered), "text/plain; charset=utf-8");
            return;
          }
          answer(usage, b.result(), type == null ? "application/octet-stream" : type);
          return;
        }
        PassThroughAnswer raw = req.endpoint() == GatewayRequest.Endpoint.CHAT
            || req.endpoint() == GatewayRequest.Endpoint.COMPLETIONS
            ? adapter.chatResponsePassThrough(b.result(), req.model()) : null;
        if (raw != null) {
          answer(raw.usage(), raw.body());
          return;
        }
        ChatResult result;
        try {
          JsonObject json = b.result().toJsonObject();
          result = switch (req.endpoint()) {
            case EMBEDDINGS -> ((EmbeddingsAdapter) adapter).embeddingsResponse(json, req.model(), req.body());
            // no usage reported: billed for the input the gateway counted
            case MODERATIONS -> new ChatResult(json.put("model", req.model()), Usage.NONE);
            case COMPLETIONS -> OpenAiWire.chatResult(json, req.model());
            case IMAGES -> ImagesWire.result(json, ImageRequest.of(req.body()));
            case RESPONSES -> ResponsesWire.result(json, req.model());
            case MESSAGES -> ((MessagesAdapter) adapter).messagesResponse(json, req.model());
            case GENERATE_CONTENT -> ((GenerateContentAdapter) adapter).generateContentResponse(json, req.model());
            default -> adapter.chatResponse(json, req.model());
          };
        } catch (RuntimeException e) {
          unreadable(i, e);
          return;
        }
        Usage usage = result.usage().reportedByProvider() ? result.usage()
            : new Usage(req.promptTokens(), countOutput(result.openAiBody(), result.usage()), false)
                .withWebSearchCalls(result.usage().webSearchCalls()).withImages(result.usage().images());
        JsonObject body = result.openAiBody();
        if (req.endpoint() == GatewayRequest.Endpoint.EMBEDDINGS && !result.usage().reportedByProvider()) {
          // a provider that reports no usage (Gemini): the client sees the input tokens it is billed for
          body.put("usage", new JsonObject().put("prompt_tokens", usage.inputTokens()).put("total_tokens", usage.inputTokens()));
        }
        if (req.endpoint() == GatewayRequest.Endpoint.RESPONSES && !Boolean.FALSE.equals(body.getValue("store"))) {
          remember(body.getValue("id") instanceof String id ? id : null, conversationTokens(usage))
              .onComplete(v -> answer(usage, body.toBuffer()));
          return;
        }
        answer(usage, body.toBuffer());
      });
    }

    /**
     * Remembers that the response {@code id} (null: none) this attempt produced is stored at this
     * attempt's provider entry, with the {@code tokens} a follow-up makes the provider replay, unless
     * the request says {@code store: false}; completes when that is in Redis, before the id reaches
     * the client, so a follow-up can never race it (ADR 0050). A Redis failure is logged and the
     * answer still goes out: it was produced and is billed.
     */
    Future<Void> remember(String id, long tokens) {
      if (id == null || Boolean.FALSE.equals(req.body().getValue("store"))) {
        return Future.succeededFuture();
      }
      if (!ResponseStore.validId(id)) {
        LOG.warn("request {}: provider {} answered a response id of an unexpected shape; it cannot be continued here",
            req.id(), providerName);
        return Future.succeededFuture();
      }
      return responses.remember(req.tenant().tenantId(), id, new ResponseStore.Pin(req.plan().policy(), providerName, target.model(), tokens))
          .recover(e -> {
            LOG.warn("request {}: cannot remember stored response {} of tenant {}: {}", req.id(), id, req.tenant().tenant(),
                e.getMessage());
            return Future.succeededFuture();
          });
    }

    /**
     * A 2xx answer of a shape no reader expected (a decode error, a wrong type, a null where a count
     * belongs): an unreadable answer, which falls back or ends the request, never one left waiting.
     */
    private void unreadable(int i, RuntimeException e) {
      LOG.debug("unreadable answer from {} ({})", providerName, e.getClass().getSimpleName()); // no text: it may quote the answer
      failed(i, new UpstreamError(200, UpstreamError.Kind.SERVER_ERROR, "upstream answered an unreadable body", -1));
    }

    /**
     * The conversation a follow-up to this answer replays as input: what this request took in (the
     * conversation it continued included) and what it produced.
     */
    long conversationTokens(Usage usage) {
      return Math.addExact(usage.inputTokens(), usage.outputTokens());
    }

    /** A whole 2xx JSON answer for the client: bill it, then send it. */
    private void answer(Usage usage, Buffer body) {
      answer(usage, body, "application/json");
    }

    /** A whole 2xx answer of {@code contentType} for the client: bill it, then send it. */
    private void answer(Usage usage, Buffer body, String contentType) {
      served();
      Outcome outcome = new Outcome(200, null, withRequestedSearch(usage), providerName, target, attempts);
      HttpServerResponse out = headers(ctx.response().setStatusCode(200))
          .putHeader("content-type", contentType)
          .putHeader("x-tollgate-cost-micros", Long.toString(req.tenant().pricing().usageBilledMicros(outcome.costMicros(), req.model())));
      // the provider charged for this even if the client has gone: bill it either way
      req.finish(outcome);
      if (!out.closed()) {
        out.end(body);
      }
    }

    /**
     * {@code usage} with the search a chat request's {@code web_search_options} asks for: OpenAI's
     * search models search before they answer and report it nowhere in the answer, so an answer (or
     * a stream that started) counts one (ADR 0047). Only OpenAI-shaped targets serve such a request:
     * the translating adapters refuse {@code web_search_options}.
     */
    Usage withRequestedSearch(Usage usage) {
      return req.endpoint() == GatewayRequest.Endpoint.CHAT && req.tools().webSearch()
          ? usage.withWebSearchCalls(Math.max(1, usage.webSearchCalls())) : usage;
    }

    /** The attempt in flight succeeded (a whole answer, or a stream that completed). */
    void served() {
      metrics.attempt(providerName, "ok");
      cooldowns.succeeded(cooldownKey(target));
    }

    private long countOutput(JsonObject body, Usage answered) {
      if (answered.images() != null) {
        // images without reported usage: each counts the target's output ceiling, never nothing
        RoutePlan.ImagePricing prices = target.imagePricing();
        return prices == null || prices.outputTokensPerImage() == null ? 0
            : Math.multiplyExact(answered.images().count(), prices.outputTokensPerImage());
      }
      if (req.endpoint() == GatewayRequest.Endpoint.RESPONSES) {
        return tokens.count(ResponsesWire.outputText(body));
      }
      if (req.endpoint() == GatewayRequest.Endpoint.MESSAGES) {
        return tokens.messagesOutput(body);
      }
      if (req.endpoint() == GatewayRequest.Endpoint.GENERATE_CONTENT) {
        return tokens.count(GeminiAdapter.outputText(body));
      }
      long n = 0;
      if (body.getValue("choices") instanceof JsonArray choices) {
        for (Object c : choices) {
          if (c instanceof JsonObject choice && choice.getValue("text") instanceof String text) {
            n += tokens.count(text); // a legacy completion
          } else if (c instanceof JsonObject choice && choice.getValue("message") instanceof JsonObject m) {
            n += tokens.count(m.getValue("content") instanceof String s ? s : "");
            // a reasoning model's thinking, billed as output (the names OpenAI-compatible servers use)
            n += tokens.count(m.getValue("reasoning_content") instanceof String s ? s : "");
            n += tokens.count(m.getValue("reasoning") instanceof String s ? s : "");
            if (m.getValue("tool_calls") instanceof JsonArray calls) {
              n += tokens.count(calls.encode());
            }
          }
        }
      }
      return n;
    }

    HttpServerResponse headers(HttpServerResponse out) {
      req.rateLimitHeaders().forEach(out::putHeader);
      return out.putHeader("x-tollgate-provider", providerName)
          .putHeader("x-tollgate-model", target.model())
          .putHeader("x-tollgate-attempts", Integer.toString(attempts));
    }
  }

  /**
   * One streaming response: upstream SSE in, the client's events (chat chunks or Responses API
   * events) out, one by one. The router, not the translator, decides how the client's stream ends:
   * the translator's end frame ({@code [DONE]} for chat) after a normal end, its SSE error event
   * after a cut. {@code firstByteMs} also bounds the silence between two upstream chunks.
   */
  private final class Stream {
    private final Call call;
    private final int index;
    private final UpstreamCaller.Exchange ex;
    private final StreamTranslator translator;
    private final SseParser parser;
    private final HttpServerResponse out;
    private final boolean clientWantsUsage;
    private final long idleMs;
    private long lastChunkNanos = System.nanoTime();
    private long idleTimer = -1;
    private boolean started;
    private boolean done;
    /**
     * A Responses stream's id being remembered (ADR 0050): events wait behind it so that no event
     * naming the id reaches the client before its mapping is in Redis (one Redis round trip; the
     * upstream keeps being read, so nothing it sent is lost if it breaks off meanwhile). Null: none.
     */
    private Future<Void> remembering;
    private final List<String> held = new ArrayList<>(0);

    Stream(Call call, int index, UpstreamCaller.Exchange ex, StreamTranslator translator) {
      this.call = call;
      this.index = index;
      this.ex = ex;
      this.translator = translator;
      this.parser = ex.sseParser();
      this.out = call.ctx.response();
      this.idleMs = call.timeouts.firstByteMs();
      JsonObject opts = call.req.body().getValue("stream_options") instanceof JsonObject o ? o : null;
      // only chat and legacy completions have a usage-only chunk to hold back; a Responses stream's
      // usage is in its last event
      this.clientWantsUsage = call.req.endpoint() != GatewayRequest.Endpoint.CHAT
          && call.req.endpoint() != GatewayRequest.Endpoint.COMPLETIONS
          || opts != null && Boolean.TRUE.equals(opts.getValue("include_usage"));
    }

    void start() {
      HttpClientResponse up = ex.response();
      up.handler(buf -> {
        if (done) {
          return;
        }
        lastChunkNanos = System.nanoTime();
        List<SseEvent> events;
        try {
          events = parser.feed(buf.getBytes());
        } catch (SseParser.TooLargeException e) {
          end(new UpstreamError(200, UpstreamError.Kind.SERVER_ERROR, e.getMessage(), -1));
          ex.cancel();
          return;
        }
        for (SseEvent e : events) {
          emit(translator.onEvent(e));
        }
        if (out.writeQueueFull()) {
          up.pause();
          out.drainHandler(v -> up.resume());
        }
      });
      up.exceptionHandler(e -> end(ex.failure(e).error()));
      up.endHandler(v -> {
        SseEvent last = parser.flush();
        if (last != null) {
          emit(translator.onEvent(last));
        }
        end(null);
      });
      out.closeHandler(v -> clientGone());
      armIdleTimer(idleMs);
      up.resume();
    }

    /** One timer per idle period (not one per chunk): it re-arms for the time left since the last chunk. */
    private void armIdleTimer(long delayMs) {
      idleTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
        idleTimer = -1;
        if (done) {
          return;
        }
        long quietMs = (System.nanoTime() - lastChunkNanos) / 1_000_000;
        if (quietMs >= idleMs) {
          // classify first: the reset below makes the response fail as if the connection broke
          end(new UpstreamError(0, UpstreamError.Kind.TIMEOUT, "no data for " + quietMs + " ms", -1));
          ex.cancel();
        } else {
          armIdleTimer(idleMs - quietMs);
        }
      });
    }

    private void emit(List<String> payloads) {
      if (remembering == null && translator instanceof ResponsesStream rs && rs.storedResponseId() != null) {
        // its size is not known before response.completed: bounded by the prompt and the output ceiling
        remembering = call.remember(rs.storedResponseId(),
            Math.addExact(call.req.promptTokens(), call.req.maxOutputTokens()));
        if (!remembering.isComplete()) {
          remembering.onComplete(v -> {
            List<String> waiting = new ArrayList<>(held);
            held.clear();
            if (!done) {
              send(waiting);
            }
          });
        }
      }
      if (remembering != null && !remembering.isComplete()) {
        held.addAll(payloads);
        return;
      }
      send(payloads);
    }

    private void send(List<String> payloads) {
      for (String p : payloads) {
        if (!clientWantsUsage && p.contains("\"choices\":[]") && p.contains("\"usage\":{")) {
          continue; // usage-only final chunk the client did not ask for: we read it, it need not
        }
        if (!started) {
          started = true;
          call.headers(out.setStatusCode(200))
              .putHeader("content-type", "text/event-stream")
              .putHeader("cache-control", "no-cache")
              .setChunked(true);
        }
        out.write(translator.frame(p));
      }
    }

    private void clientGone() {
      if (done) {
        return;
      }
      finishStream();
      ex.cancel(); // stop the provider generating what nobody reads
      metrics.attempt(call.providerName, "client-closed");
      call.req.finish(new Outcome(499, "client_closed", usage(), call.providerName, call.target, call.attempts));
    }

    private void finishStream() {
      done = true;
      if (idleTimer >= 0) {
        vertx.cancelTimer(idleTimer);
        idleTimer = -1;
      }
    }

    private void end(UpstreamError failure) {
      if (done) {
        return;
      }
      if (remembering != null && !remembering.isComplete()) {
        remembering.onComplete(v -> end(failure)); // after the held events go out
        return;
      }
      finishStream();
      ex.done();
      UpstreamError error = failure != null ? failure : translator.error();
      if (error != null) {
        error = error.redact(call.currentCredential);
      }
      boolean complete = error == null && translator.finished();
      if (!started && !complete) {
        // nothing reached the client yet: this attempt may still fall back
        call.failed(index, error != null ? error
            : new UpstreamError(200, UpstreamError.Kind.SERVER_ERROR, "upstream stream ended without data", -1));
        return;
      }
      Usage usage = usage();
      if (!started) {
        call.headers(out.setStatusCode(200)).putHeader("content-type", "text/event-stream").setChunked(true);
      }
      if (complete) {
        call.served();
        call.req.finish(new Outcome(200, null, usage, call.providerName, call.target, call.attempts));
        if (remembering != null && usage.reportedByProvider() && translator instanceof ResponsesStream rs) {
          // the conversation's size, now that the provider reported it, replaces the bound remembered
          call.remember(rs.storedResponseId(), call.conversationTokens(usage));
        }
        if (!out.closed()) {
          out.end(translator.endFrame());
        }
        return;
      }
      // cut mid-stream: a well-formed SSE error event (OpenAI SDKs raise on it), never a silent clean
      // end and never [DONE], which means a complete answer
      UpstreamError e = error != null ? error : new UpstreamError(0, UpstreamError.Kind.SERVER_ERROR, "upstream stream ended early", -1);
      GatewayError g = e.kind() == UpstreamError.Kind.TIMEOUT
          ? GatewayError.upstreamTimeout("Upstream '" + call.providerName + "' timed out mid-stream: " + e.message())
          : GatewayError.upstreamError("Upstream '" + call.providerName + "' broke off the stream: " + e.message());
      metrics.attempt(call.providerName, e.kind().trigger());
      call.cooldownFailed(call.target, e);
      call.req.finish(new Outcome(g.status(), g.code(), usage, call.providerName, call.target, call.attempts));
      if (!out.closed()) {
        out.end(translator.errorFrame(g.toJson()));
      }
    }

    /**
     * The provider's figures if it sent its final ones; else the streamed text counted as output,
     * with the prompt side the provider reported before the end (cache reads and writes at their
     * prices), or the prompt estimate if it reported none; with the web searches the stream showed.
     */
    private Usage usage() {
      Usage u = translator.usage();
      if (u.reportedByProvider()) {
        return call.withRequestedSearch(u);
      }
      long output = tokens.count(translator.outputText());
      return call.withRequestedSearch(u.promptReportedByProvider() ? u.withCountedOutput(output)
          : new Usage(call.req.promptTokens(), output, false).withWebSearchCalls(u.webSearchCalls()));
    }
  }

  private static String truncate(Buffer b) {
    return b.length() <= MAX_ERROR_BODY ? b.toString() : b.getString(0, MAX_ERROR_BODY);
  }
}
