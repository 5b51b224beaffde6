package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.metering.ProviderTools;
import dev.tollgate.gateway.provider.CompletionsAdapter;
import dev.tollgate.gateway.provider.CountTokensAdapter;
import dev.tollgate.gateway.provider.EmbeddingsAdapter;
import dev.tollgate.gateway.provider.GenerateContentAdapter;
import dev.tollgate.gateway.provider.AudioAdapter;
import dev.tollgate.gateway.provider.ImagesAdapter;
import dev.tollgate.gateway.metering.ImageRequest;
import dev.tollgate.gateway.provider.MessagesAdapter;
import dev.tollgate.gateway.provider.ModerationsAdapter;
import dev.tollgate.gateway.provider.ProviderAdapter;
import dev.tollgate.gateway.provider.ProviderRegistry;
import dev.tollgate.gateway.provider.ResponsesAdapter;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.store.ConfigReader;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ModelPattern;
import dev.tollgate.schema.RoutePlan;
import dev.tollgate.schema.TenantRecord;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Resolves a requested model to a route of the key's (or else the tenant's) RoutePolicy, narrows it
 * to the targets whose provider serves the endpoint, and orders the targets for the attempt loop.
 * The one place that decides which targets a request may use, so the reservation (most expensive
 * eligible target) and the router agree.
 */
public final class RoutePlanner {

  /** Fallback triggers when a route names none. */
  static final Set<String> DEFAULT_TRIGGERS = Set.of(
      UpstreamError.Kind.CONNECT_ERROR.trigger(), UpstreamError.Kind.TIMEOUT.trigger(),
      UpstreamError.Kind.RATE_LIMITED.trigger(), UpstreamError.Kind.SERVER_ERROR.trigger());

  private final ConfigReader config;
  private final ProviderRegistry providers;

  public RoutePlanner(ConfigReader config, ProviderRegistry providers) {
    this.config = config;
    this.providers = providers;
  }

  /** A plan and the route in it that serves a model. */
  public record Resolved(RoutePlan plan, RoutePlan.Route route) {}

  /** True if neither the key's nor the tenant's allowed models exclude {@code model}. */
  public static boolean allowed(ApiKeyRecord key, TenantRecord tenant, String model) {
    return (key.allowedModels().isEmpty() || ModelPattern.matchesAny(key.allowedModels(), model))
        && (tenant.allowedModels().isEmpty() || ModelPattern.matchesAny(tenant.allowedModels(), model));
  }

  public Future<Optional<RoutePlan>> plan(ApiKeyRecord key, TenantRecord tenant) {
    String name = key.routePolicy() != null ? key.routePolicy() : tenant.routePolicy();
    if (name == null || name.isBlank()) {
      return Future.succeededFuture(Optional.empty());
    }
    return config.routePlan(tenant.tenantId().namespace(), name);
  }

  public Future<Optional<Resolved>> resolve(ApiKeyRecord key, TenantRecord tenant, String model) {
    return plan(key, tenant).map(p -> p.flatMap(plan -> {
      RoutePlan.Route route = plan.routeFor(model);
      return route == null || route.targets().isEmpty() ? Optional.empty() : Optional.of(new Resolved(plan, route));
    }));
  }

  /**
   * {@code route} with only the targets whose provider can serve {@code endpoint} (empty: the
   * endpoint is not supported for this model). Chat is served by every adapter; embeddings, legacy
   * completions, images, the Responses API, the Anthropic Messages API and its token count only by adapters
   * with that capability, and the Messages API and the Gemini API only for the models the adapter
   * says it serves them for (a target whose model is {@code *} serves {@code requestedModel}). A target whose provider
   * is missing or of an unknown type stays in: that is a configuration fault the
   * router reports as a failed attempt (and falls back from), not a property of the endpoint.
   */
  public RoutePlan.Route eligible(
      RoutePlan plan, RoutePlan.Route route, GatewayRequest.Endpoint endpoint, String requestedModel) {
    if (endpoint == GatewayRequest.Endpoint.CHAT) {
      return route; // every adapter serves chat: nothing to narrow on the hot path
    }
    List<RoutePlan.Target> eligible = new ArrayList<>(route.targets().size());
    for (RoutePlan.Target t : route.targets()) {
      RoutePlan.Provider provider = plan.providers().get(t.provider());
      ProviderAdapter adapter = provider == null ? null : providers.get(provider.type());
      String model = "*".equals(t.model()) ? requestedModel : t.model();
      if (adapter == null || serves(adapter, endpoint, model)) {
        eligible.add(t);
      }
    }
    return eligible.size() == route.targets().size() ? route : new RoutePlan.Route(route.match(), eligible, route.fallbackOn());
  }

  /**
   * {@code route} with only the targets whose {@code contextWindow} bounds a prompt holding a document
   * the gateway cannot count (empty: none has): such a prompt is reserved at that window (ADR 0055).
   */
  public static RoutePlan.Route boundedForDocuments(RoutePlan.Route route) {
    return keep(route, t -> t.contextWindow() > 0);
  }

  /**
   * {@code route} with only the targets that have a price for the provider-run tools the request
   * enables (empty: none has): a request that lets the provider search the web goes only to targets
   * with a web search price, so that its searches are reserved and billed (ADR 0047).
   */
  public static RoutePlan.Route priced(RoutePlan.Route route, ProviderTools tools) {
    return tools.webSearch() ? keep(route, t -> t.webSearchMicrosPerThousand() != null) : route;
  }

  /**
   * {@code route} with only the targets whose image prices bound the images {@code images} asks for
   * (empty: none has): an images request is never sent where it could not be reserved and billed
   * (ADR 0049).
   */
  public static RoutePlan.Route pricedForImages(RoutePlan.Route route, ImageRequest images) {
    return keep(route, t -> t.pricesImages(images.size(), images.quality()));
  }

  /**
   * {@code route} with only the targets whose audio prices bound {@code speech} (else a
   * transcription or translation; empty: none has): audio is never sent where it could not be
   * reserved and billed (ADR 0054).
   */
  public static RoutePlan.Route pricedForAudio(RoutePlan.Route route, boolean speech) {
    return keep(route, speech ? RoutePlan.Target::pricesSpeech : RoutePlan.Target::pricesTranscription);
  }

  private static RoutePlan.Route keep(RoutePlan.Route route, Predicate<RoutePlan.Target> priced) {
    List<RoutePlan.Target> kept = new ArrayList<>(route.targets().size());
    for (RoutePlan.Target t : route.targets()) {
      if (priced.test(t)) {
        kept.add(t);
      }
    }
    return kept.size() == route.targets().size() ? route : new RoutePlan.Route(route.match(), kept, route.fallbackOn());
  }

  private static boolean serves(ProviderAdapter adapter, GatewayRequest.Endpoint endpoint, String model) {
    return switch (endpoint) {
      case EMBEDDINGS -> adapter instanceof EmbeddingsAdapter e && e.servesEmbeddings(model);
      case MODERATIONS -> adapter instanceof ModerationsAdapter;
      case COMPLETIONS -> adapter instanceof CompletionsAdapter;
      case IMAGES -> adapter instanceof ImagesAdapter;
      case SPEECH, TRANSCRIPTIONS, TRANSLATIONS -> adapter instanceof AudioAdapter;
      case RESPONSES -> adapter instanceof ResponsesAdapter;
      case MESSAGES -> adapter instanceof MessagesAdapter m && m.servesMessages(model);
      case COUNT_TOKENS -> adapter instanceof CountTokensAdapter;
      case GENERATE_CONTENT, GEMINI_COUNT_TOKENS -> adapter instanceof GenerateContentAdapter g && g.servesGenerateContent(model);
      default -> true;
    };
  }

  /**
   * Targets in attempt order: ascending priority; among equal priorities a weighted random order
   * (each next target drawn with probability weight / remaining weights); then targets cooling down
   * moved to the end, in that same order, so that they are tried only as a last resort. A target
   * whose model is {@code *} serves the requested model under its own name (pattern routes).
   */
  public static List<RoutePlan.Target> order(RoutePlan.Route route, String requestedModel,
      RandomGenerator random, Predicate<RoutePlan.Target> coolingDown) {
    List<RoutePlan.Target> byPriority = new ArrayList<>(route.targets().size());
    for (RoutePlan.Target t : route.targets()) {
      byPriority.add("*".equals(t.model()) ? t.withModel(requestedModel) : t);
    }
    byPriority.sort(Comparator.comparingInt(RoutePlan.Target::priority));
    List<RoutePlan.Target> ordered = new ArrayList<>(byPriority.size());
    for (int from = 0; from < byPriority.size(); ) {
      int to = from;
      while (to < byPriority.size() && byPriority.get(to).priority() == byPriority.get(from).priority()) {
        to++;
      }
      weightedShuffleInto(byPriority.subList(from, to), random, ordered);
      from = to;
    }
    List<RoutePlan.Target> out = new ArrayList<>(ordered.size());
    List<RoutePlan.Target> cooling = new ArrayList<>(0);
    for (RoutePlan.Target t : ordered) {
      (coolingDown.test(t) ? cooling : out).add(t);
    }
    out.addAll(cooling);
    return out;
  }

  private static void weightedShuffleInto(List<RoutePlan.Target> group, RandomGenerator random, List<RoutePlan.Target> out) {
    if (group.size() == 1) {
      out.add(group.get(0));
      return;
    }
    List<RoutePlan.Target> left = new ArrayList<>(group);
    while (!left.isEmpty()) {
      long total = 0;
      for (RoutePlan.Target t : left) {
        total += Math.max(0, t.weight());
      }
      int pick = 0;
      if (total > 0) {
        long r = random.nextLong(total);
        while (r >= Math.max(0, left.get(pick).weight())) {
          r -= Math.max(0, left.get(pick).weight());
          pick++;
        }
      }
      out.add(left.remove(pick));
    }
  }

  /** True if {@code error} moves the request on to the next target of {@code route}. */
  public static boolean triggers(RoutePlan.Route route, UpstreamError error) {
    String t = error.kind().trigger();
    return route.fallbackOn().isEmpty() ? DEFAULT_TRIGGERS.contains(t) : route.fallbackOn().contains(t);
  }

  /** The plan's timeouts with 0 replaced by the defaults. */
  public static RoutePlan.Timeouts timeouts(RoutePlan plan) {
    RoutePlan.Timeouts t = plan.timeouts();
    RoutePlan.Timeouts d = RoutePlan.Timeouts.DEFAULT;
    return new RoutePlan.Timeouts(
        t.connectMs() > 0 ? t.connectMs() : d.connectMs(),
        t.firstByteMs() > 0 ? t.firstByteMs() : d.firstByteMs(),
        t.totalMs() > 0 ? t.totalMs() : d.totalMs());
  }

  /**
   * Model names a key may call: every exact route name of its plan that both allow-lists admit
   * (patterns cannot be listed).
   */
  public static Set<String> listModels(RoutePlan plan, ApiKeyRecord key, TenantRecord tenant) {
    Set<String> out = new TreeSet<>();
    for (RoutePlan.Route r : plan.routes()) {
      if (!r.match().contains("*") && !r.targets().isEmpty() && allowed(key, tenant, r.match())
          && plan.routeFor(r.match()) == r) {
        out.add(r.match());
      }
    }
    return out;
  }
}
