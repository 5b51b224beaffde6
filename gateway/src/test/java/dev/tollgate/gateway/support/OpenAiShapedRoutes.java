package dev.tollgate.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.FakeProvider;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

/**
 * What the tests of the OpenAI-shaped endpoints served by OpenAI-compatible and Azure targets only
 * (the Responses API, legacy completions) share: a route of one target per provider, the provider
 * cases and how each is called, and the 400 a bad body gets.
 */
public final class OpenAiShapedRoutes {

  private OpenAiShapedRoutes() {}

  /** One provider serving the endpoint, and the path (and {@code api-version}) it must be called on. */
  public record Case(String name, FakeProvider fake, String type, String apiVersion, String path, String versionQuery) {
    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * A tenant whose route for {@link Seed#MODEL} has one target per provider, tried in {@code order}
   * ({@code target} makes the one of a provider at a priority), two attempts, short timeouts and a
   * large daily tenant cap.
   */
  public static Seed route(Seed seed, Map<String, RoutePlan.Provider> providers, List<String> order,
      BiFunction<String, Integer, RoutePlan.Target> target) {
    List<RoutePlan.Target> targets = IntStream.range(0, order.size()).mapToObj(i -> target.apply(order.get(i), i)).toList();
    return seed.plan(providers, List.of(new RoutePlan.Route(Seed.MODEL, targets, List.of())),
            new RoutePlan.Retry(2, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000))
        .cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000_000);
  }

  /** The upstream call went to the case's path, with its {@code api-version} and credential; its body. */
  public static JsonObject calledAt(Case c, RecordedRequest up) {
    assertThat(up.path()).isEqualTo(c.path());
    assertThat(up.query("api-version")).isEqualTo(c.versionQuery());
    boolean azure = c.type().equals("azure-openai");
    assertThat(azure ? up.header("api-key") : up.header("authorization"))
        .isEqualTo(azure ? Seed.UPSTREAM_KEY : "Bearer " + Seed.UPSTREAM_KEY);
    return up.json();
  }

  /**
   * A route whose first target is an Anthropic one, which cannot serve the endpoint at {@code path}:
   * the next target serves {@code body} in one attempt, and Anthropic is never called.
   */
  public static void servedPastAnAnthropicTarget(GatewayHarness harness, FakeAnthropic anthropic, String path, String body,
      BiFunction<String, Integer, RoutePlan.Target> target) {
    Seed seed = harness.seed().tenant();
    route(seed, Map.of("claude", seed.provider("anthropic", anthropic.baseUrl(), null), "p", seed.provider(harness.fake().baseUrl())),
        List.of("claude", "p"), target);

    HttpResponse<String> r = harness.gateway().post(path, seed.key("k"), body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("p");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("1");
    assertThat(anthropic.requests()).isEmpty();
  }

  /** A 400 in the OpenAI envelope naming {@code param}. */
  public static void invalid(HttpResponse<String> r, String param) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getString("code")).isEqualTo("invalid_request");
    assertThat(e.getString("param")).isEqualTo(param);
    assertThat(e.getString("message")).isNotBlank();
  }
}
