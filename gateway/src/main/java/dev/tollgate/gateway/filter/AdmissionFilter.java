package dev.tollgate.gateway.filter;

import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.metering.AudioRequest;
import dev.tollgate.gateway.metering.ImageRequest;
import dev.tollgate.gateway.metering.ProviderTools;
import dev.tollgate.gateway.metering.SpendLedger;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.routing.Outcome;
import dev.tollgate.gateway.store.ConfigReader;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Rate limits and spend reservation in one step ({@link SpendLedger#admit}): estimates the prompt
 * with the tokenizer (plus, for a Responses request that continues a stored one, the conversation
 * the provider replays, ADR 0050), takes the output ceiling ({@code max_tokens}, {@code max_completion_tokens},
 * the Responses API's {@code max_output_tokens}, the Messages API's required {@code max_tokens},
 * legacy completions' {@code max_tokens} times the completions generated, or the configured
 * default), prices the worst case at the most expensive target the request may use
 * (the route's targets that serve the endpoint, as {@code ModelFilter} narrowed them; every prompt
 * token at that target's dearest prompt price: a prompt may turn out to be all cache writes; plus
 * the web searches the request allows at the target's search price, ADR 0047; a prompt holding a
 * document the tokenizer cannot count at the target's context window, ADR 0055; for the Gemini API
 * {@code maxOutputTokens} plus the thinking budget, per candidate, ADR 0051; for images, {@code n}
 * images at the requested size and quality at the target's image prices, ADR 0049; for audio, the
 * speech's characters or the upload's longest duration with the token ceilings, ADR 0054) with the tenant's
 * pricing, and reserves it. Settle is wired here: it runs when the request's
 * outcome is known, exactly once. A token count ({@code /v1/messages/count_tokens}, Gemini's
 * {@code countTokens}) is only counted
 * against the RPM limits ({@link SpendLedger#countRequest}).
 */
public final class AdmissionFilter implements Handler<RoutingContext> {

  /** Output reserved at most, far beyond any model's: a larger ceiling is reserved as this many tokens. */
  static final long MAX_OUTPUT_CEILING = Integer.MAX_VALUE;
  /** OpenAI's documented default {@code max_tokens} of {@code /v1/completions}. */
  static final long COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

  private final Vertx vertx;
  private final ConfigReader configReader;
  private final SpendLedger ledger;
  private final TokenEstimator tokens;
  private final GatewayConfig config;

  public AdmissionFilter(Vertx vertx, ConfigReader configReader, SpendLedger ledger, TokenEstimator tokens, GatewayConfig config) {
    this.vertx = vertx;
    this.configReader = configReader;
    this.ledger = ledger;
    this.tokens = tokens;
    this.config = config;
  }

  @Override
  public void handle(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    if (req.endpoint().tokenCount()) {
      // free at the provider: a request against RPM, but nothing reserved, settled or recorded
      ledger.countRequest(req).onSuccess(v -> ctx.next()).onFailure(ctx::fail);
      return;
    }
    JsonObject body = req.body();
    long prompt;
    long maxOut;
    if (req.endpoint() == GatewayRequest.Endpoint.EMBEDDINGS || req.endpoint() == GatewayRequest.Endpoint.MODERATIONS) {
      prompt = tokens.input(body.getValue("input"));
      maxOut = 0;
    } else if (req.endpoint() == GatewayRequest.Endpoint.MESSAGES) {
      prompt = tokens.messagesPrompt(body);
      maxOut = body.getLong("max_tokens"); // required: ParseFilter refused a body without it
    } else if (req.endpoint() == GatewayRequest.Endpoint.IMAGES) {
      // the prompt counts against TPM, and so do the images' output tokens at their ceiling, as a
      // text request's do: else any number of image requests started at once would pass on their prompts
      prompt = tokens.count(body.getString("prompt"));
      maxOut = imagesOutputCeiling(req.route(), ImageRequest.of(body).n());
    } else if (req.endpoint().audio()) {
      // the text counts against TPM, and so do the audio and output tokens at their ceilings (ADR 0054)
      prompt = tokens.count(body.getValue("input") instanceof String s ? s : "")
          + tokens.count(body.getValue(req.endpoint().upload() ? "prompt" : "instructions") instanceof String s ? s : "");
      maxOut = audioTokenCeiling(req.route(), req.audio());
    } else if (req.endpoint() == GatewayRequest.Endpoint.COMPLETIONS) {
      prompt = tokens.completionsPrompt(body);
      maxOut = completionsCeiling(body);
    } else if (req.endpoint() == GatewayRequest.Endpoint.GENERATE_CONTENT) {
      prompt = tokens.geminiPrompt(body);
      maxOut = geminiCeiling(body);
    } else if (req.endpoint() == GatewayRequest.Endpoint.RESPONSES) {
      prompt = tokens.responsesPrompt(body);
      maxOut = outputCeiling(body, body.getValue("max_output_tokens"), "max_output_tokens");
    } else {
      prompt = tokens.chatPrompt(body);
      Object ceiling = body.getValue("max_completion_tokens");
      // n choices: each may produce the ceiling, and the provider bills them all
      maxOut = times(outputCeiling(body, ceiling != null ? ceiling : body.getValue("max_tokens"), "max_tokens"),
          body.getValue("n") instanceof Number n ? n.longValue() : 1);
    }
    // absurd ceilings are refused by the caps and TPM limits, not by overflowing the arithmetic
    maxOut = Math.min(maxOut, MAX_OUTPUT_CEILING);
    // a continued conversation (previous_response_id): the provider replays it and bills it as input;
    // its size is the provider's count (or a bound on it), so it takes no margin
    long replayed = req.replayedTokens();
    req.estimated(Math.addExact(prompt, replayed), maxOut);
    long promptWithMargin = Math.addExact(prompt + (prompt * config.promptMarginPercent() + 99) / 100, replayed);
    long searches = webSearchCeiling(req);
    // each search's results join the prompt and are billed as input tokens
    long searchedPrompt = Math.addExact(promptWithMargin, Math.multiplyExact(searches, config.searchResultTokens()));
    ImageRequest images = req.endpoint() == GatewayRequest.Endpoint.IMAGES ? ImageRequest.of(body) : null;
    long worstCost = 0;
    for (RoutePlan.Target t : req.route().targets()) {
      worstCost = Math.max(worstCost, images != null
          ? t.imageWorstCaseMicros(images.n(), images.size(), images.quality(), promptWithMargin)
          : req.audio() != null ? t.audioWorstCaseMicros(req.audio().characters(), req.audio().maxSeconds(), promptWithMargin)
          : Math.addExact(t.worstCaseCostMicros(req.uncountableDocuments() ? Math.max(searchedPrompt, t.contextWindow())
              : searchedPrompt, maxOut), t.webSearchCostMicros(searches)));
    }
    long worstCase = req.tenant().pricing().capBasisMicros(worstCost, req.model());
    configReader.caps(req.tenant().tenantId())
        .compose(caps -> ledger.admit(req, caps, worstCase))
        .onSuccess(admission -> {
          req.admitted(admission);
          req.outcome().onSuccess(o -> ledger.settle(req, o));
          // Safety net: the route handler finishes every request it starts; should it ever not, the
          // response's end still settles (with nothing produced) once an upstream could have timed out.
          ctx.addEndHandler(v -> {
            if (!req.outcome().isComplete()) {
              long grace = dev.tollgate.gateway.routing.RoutePlanner.timeouts(req.plan()).totalMs() + 5_000;
              vertx.setTimer(grace, id -> req.finish(new Outcome(499, "abandoned", dev.tollgate.gateway.provider.Usage.NONE, null, null, 0)));
            }
          });
          ctx.next();
        })
        .onFailure(ctx::fail);
  }

  /**
   * The most web searches the provider may run for this request: the bounds it sets ({@code
   * max_uses}, {@code max_tool_calls}; one for chat {@code web_search_options}), and for a search
   * it leaves unbounded the configured default, which is then sent upstream as its bound so that
   * the provider cannot search more than was reserved.
   */
  private long webSearchCeiling(GatewayRequest req) {
    ProviderTools tools = req.tools();
    if (!tools.webSearch()) {
      return 0;
    }
    if (tools.unboundedSearchTools() > 0) {
      ProviderTools.bound(req.endpoint(), req.body(), config.defaultMaxToolCalls());
    }
    return tools.searchCeiling(config.defaultMaxToolCalls());
  }

  /**
   * The most output a legacy completions request may produce: {@code max_tokens} (OpenAI's default
   * {@value #COMPLETIONS_DEFAULT_MAX_TOKENS} when absent, then sent upstream as well when the
   * default ceiling is enforced, so a server with a larger default of its own cannot overshoot it)
   * for each of the {@code best_of} (else {@code n}) completions generated per prompt, for every
   * prompt: what the provider bills.
   */
  private long completionsCeiling(JsonObject body) {
    long perCompletion;
    if (body.getValue("max_tokens") instanceof Number n) {
      perCompletion = n.longValue();
    } else {
      perCompletion = COMPLETIONS_DEFAULT_MAX_TOKENS;
      if (config.enforceDefaultMaxTokens()) {
        body.put("max_tokens", COMPLETIONS_DEFAULT_MAX_TOKENS);
      }
    }
    long perPrompt = Math.max(body.getValue("n") instanceof Number n ? n.longValue() : 1,
        body.getValue("best_of") instanceof Number b ? b.longValue() : 1);
    long prompts = body.getValue("prompt") instanceof JsonArray a && !(a.getValue(0) instanceof Number) ? a.size() : 1;
    return times(times(perCompletion, perPrompt), prompts);
  }

  /**
   * The most output a Gemini request may produce (ADR 0051): {@code generationConfig.maxOutputTokens}
   * (else the default, then sent upstream as it when enforced) plus a positive {@code
   * thinkingConfig.thinkingBudget} (thoughts are billed as output), for each of the {@code
   * candidateCount} candidates.
   */
  private long geminiCeiling(JsonObject body) {
    JsonObject gc = body.getValue("generationConfig") instanceof JsonObject o ? o : null;
    Object max = gc == null ? null : gc.getValue("maxOutputTokens");
    long perCandidate;
    if (max instanceof Number n) {
      perCandidate = n.longValue();
    } else {
      perCandidate = config.defaultMaxTokens();
      if (config.enforceDefaultMaxTokens()) {
        // a copy: the client's nested object is left as it came
        body.put("generationConfig", (gc == null ? new JsonObject() : gc.copy()).put("maxOutputTokens", perCandidate));
      }
    }
    JsonObject thinking = gc != null && gc.getValue("thinkingConfig") instanceof JsonObject t ? t : null;
    if (thinking != null && thinking.getValue("thinkingBudget") instanceof Number b && b.longValue() > 0) {
      perCandidate = Math.addExact(perCandidate, b.longValue());
    }
    return times(perCandidate, gc != null && gc.getValue("candidateCount") instanceof Number n ? n.longValue() : 1);
  }

  /**
   * The most output tokens {@code n} images may report at any target the request may use: {@code n
   * × outputTokensPerImage} at the target with the largest (0 where images carry no output tokens).
   */
  private static long imagesOutputCeiling(RoutePlan.Route route, long n) {
    long most = 0;
    for (RoutePlan.Target t : route.targets()) {
      if (t.imagePricing() != null && t.imagePricing().outputTokensPerImage() != null) {
        most = Math.max(most, times(n, t.imagePricing().outputTokensPerImage()));
      }
    }
    return most;
  }

  /** The most audio and output tokens the audio request may bring at any of the route's targets (ADR 0054). */
  private static long audioTokenCeiling(RoutePlan.Route route, AudioRequest audio) {
    long most = 0;
    for (RoutePlan.Target t : route.targets()) {
      RoutePlan.AudioPricing p = t.audioPricing(); // every target left prices audio (ModelFilter)
      most = Math.max(most, Math.addExact(p.audioTokenCeiling(audio.maxSeconds()),
          p.outputTokenCeiling(audio.characters(), audio.maxSeconds())));
    }
    return most;
  }

  /** {@code a * b}, saturating at {@link #MAX_OUTPUT_CEILING}. */
  private static long times(long a, long b) {
    try {
      return Math.min(MAX_OUTPUT_CEILING, Math.multiplyExact(a, b));
    } catch (ArithmeticException e) {
      return MAX_OUTPUT_CEILING;
    }
  }

  /**
   * The most output this request may produce, as reserved: the client's ceiling {@code v}, else the
   * default, which is sent upstream as {@code field} when it is enforced.
   */
  private long outputCeiling(JsonObject body, Object v, String field) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    if (config.enforceDefaultMaxTokens()) {
      body.put(field, config.defaultMaxTokens());
    }
    return config.defaultMaxTokens();
  }
}
