package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.FakeStatefulResponses;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Responses;
import dev.tollgate.gateway.store.ResponseStore;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.MinuteWindow;
import dev.tollgate.gateway.support.OpenAiShapedRoutes;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OpenAI Responses API state through the gateway (ADR 0050), against two fake provider accounts that
 * really store responses by id: a continued response ({@code previous_response_id}) goes to the
 * provider entry that stored it whatever the route's order, retries stay on it; a tenant reaches
 * only its own stored responses, even through a provider account it shares with another tenant;
 * {@code GET}, {@code input_items} and {@code DELETE} pass through, count against RPM and bill
 * nothing; {@code store: false} leaves no mapping; bad ids are refused in the OpenAI envelope.
 */
class ResponseStateTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeStatefulResponses A = new FakeStatefulResponses("a", Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeStatefulResponses B = new FakeStatefulResponses("b", Seed.UPSTREAM_KEY);

  static final String PATH = "/v1/responses";

  static RoutePlan.Target target(String provider, int priority) {
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 150_000, 600_000, 128_000);
  }

  /** A tenant whose route for {@link Seed#MODEL} tries the providers in {@code order}. */
  static Seed tenant(List<String> order) {
    Seed seed = HARNESS.seed().tenant();
    return OpenAiShapedRoutes.route(seed, Map.of("a", seed.provider(A.baseUrl()), "b", seed.provider(B.baseUrl())),
        order, ResponseStateTest::target);
  }

  static String body(String extra) {
    return "{\"model\":\"" + Seed.MODEL + "\",\"input\":\"Say hello\",\"max_output_tokens\":100" + extra + "}";
  }

  static HttpResponse<String> create(String key, String extra) {
    HttpResponse<String> r = HARNESS.gateway().post(PATH, key, body(extra));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r;
  }

  static String idOf(HttpResponse<String> r) {
    return new JsonObject(r.body()).getString("id");
  }

  static String text(HttpResponse<String> r) {
    return new JsonObject(r.body()).getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0)
        .getString("text");
  }

  static void error(HttpResponse<String> r, int status, String code, String param) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).contains("application/json");
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getString("code")).isEqualTo(code);
    assertThat(e.getString("param")).isEqualTo(param);
    assertThat(e.getString("message")).isNotBlank();
  }

  static String mapping(Seed seed, String id) {
    return HARNESS.redis().get(RedisKeys.storedResponse(seed.tenant, id));
  }

  @Test
  void aFollowUpGoesToTheProviderThatStoredItEvenWhenTheRouteWouldTryAnotherFirst() {
    Seed seed = tenant(List.of("b", "a"));
    String key = seed.key("k");
    B.enqueue(Reply.json(500, new JsonObject().put("error", new JsonObject().put("message", "overloaded"))));
    HttpResponse<String> first = create(key, "");
    assertThat(first.headers().firstValue("x-tollgate-provider")).contains("a"); // b failed: fell back to a
    String id = idOf(first);
    assertThat(A.keeps(id)).isTrue();
    assertThat(new JsonObject(mapping(seed, id)).getMap())
        .containsEntry("policy", seed.tenant.namespace() + "/" + seed.policy).containsEntry("provider", "a")
        .containsEntry("model", "up-a");
    B.reset();

    // b is first in the route and healthy now; the state lives at a
    HttpResponse<String> next = create(key, ",\"previous_response_id\":\"" + id + "\"");

    assertThat(next.headers().firstValue("x-tollgate-provider")).contains("a");
    assertThat(next.headers().firstValue("x-tollgate-attempts")).contains("1");
    assertThat(text(next)).isEqualTo("turn 2 at a");
    assertThat(A.lastRequest().json().getString("previous_response_id")).isEqualTo(id);
    assertThat(B.requests()).isEmpty();
    // billed as any Responses request, at the target that served it
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 2);
    assertThat(rec).containsEntry("endpoint", "responses").containsEntry("provider", "a").containsEntry("servedModel", "up-a")
        .containsEntry("tokensIn", "10").containsEntry("tokensOut", "5").containsEntry("costMicros", "5");
    // the new turn is stored at a too, and pinned there
    assertThat(new JsonObject(mapping(seed, idOf(next))).getString("provider")).isEqualTo("a");
  }

  @Test
  void aPinnedFollowUpRetriesTheSameProviderAndNeverFallsBackToAnother() {
    Seed seed = tenant(List.of("a", "b"));
    String key = seed.key("k");
    String id = idOf(create(key, ""));
    A.enqueue(Reply.json(500, new JsonObject().put("error", new JsonObject().put("message", "overloaded"))));

    HttpResponse<String> next = create(key, ",\"previous_response_id\":\"" + id + "\"");

    assertThat(next.headers().firstValue("x-tollgate-provider")).contains("a");
    assertThat(next.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(text(next)).isEqualTo("turn 2 at a");
    assertThat(B.requests()).isEmpty();
  }

  @Test
  void aFollowUpWhoseModelIsNotRoutedToTheStoringProviderIsRefused() {
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("a", seed.provider(A.baseUrl()), "b", seed.provider(B.baseUrl())), List.of(
        new RoutePlan.Route(Seed.MODEL, List.of(target("a", 0)), List.of()),
        new RoutePlan.Route("gpt-4o", List.of(target("b", 0)), List.of())), null);
    String key = seed.key("k");
    String id = idOf(create(key, ""));

    HttpResponse<String> r = HARNESS.gateway().post(PATH, key,
        "{\"model\":\"gpt-4o\",\"input\":\"And then?\",\"previous_response_id\":\"" + id + "\"}");

    error(r, 400, "previous_response_not_routable", "previous_response_id");
    assertThat(B.requests()).isEmpty();
    assertThat(A.requests()).hasSize(1);
  }

  @Test
  void anotherTenantNeverReachesAStoredResponseThroughTheSharedProviderAccount() {
    Seed owner = tenant(List.of("a"));
    String id = idOf(create(owner.key("k"), ""));
    // another tenant routed to the same provider account (same URL, same credential)
    Seed other = tenant(List.of("a"));
    String otherKey = other.key("k");
    A.reset();

    error(HARNESS.gateway().post(PATH, otherKey, body(",\"previous_response_id\":\"" + id + "\"")), 400,
        "previous_response_not_found", "previous_response_id");
    error(HARNESS.gateway().get(PATH + "/" + id, otherKey), 404, "response_not_found", null);
    error(HARNESS.gateway().get(PATH + "/" + id + "/input_items", otherKey), 404, "response_not_found", null);
    error(HARNESS.gateway().send("DELETE", PATH + "/" + id, otherKey), 404, "response_not_found", null);
    error(HARNESS.gateway().post(PATH + "/" + id + "/cancel", otherKey, ""), 404, "response_not_found", null);

    assertThat(A.requests()).isEmpty();
    assertThat(A.keeps(id)).isTrue();
    assertThat(mapping(other, id)).isNull();
    // nothing was billed to the other tenant
    assertThat(UsageRecords.all(HARNESS.redis(), other.tenant)).isEmpty();
    // the owner still reaches it
    HttpResponse<String> mine = HARNESS.gateway().get(PATH + "/" + id, owner.key("k2"));
    assertThat(mine.statusCode()).as(mine.body()).isEqualTo(200);
  }

  @Test
  void retrieveInputItemsAndDeletePassThroughToTheStoringProviderAndBillNothing() {
    Seed seed = tenant(List.of("b", "a"));
    String key = seed.key("k");
    B.enqueue(Reply.json(503, new JsonObject().put("error", new JsonObject().put("message", "down"))));
    HttpResponse<String> created = create(key, "");
    String id = idOf(created);
    A.reset();
    B.reset();
    String daily = RedisKeys.spend(seed.tenant, "daily", Period.Day.key(Instant.now()));
    await().atMost(Duration.ofSeconds(5)).until(() -> "5".equals(HARNESS.redis().hget(daily, "spent")));

    HttpResponse<String> got = HARNESS.gateway().get(PATH + "/" + id, key);
    assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
    assertThat(got.headers().firstValue("x-tollgate-provider")).contains("a");
    JsonObject response = new JsonObject(got.body());
    assertThat(response.getString("id")).isEqualTo(id);
    assertThat(response.getString("object")).isEqualTo("response");
    assertThat(text(got)).isEqualTo("turn 1 at a");
    RecordedRequest up = A.lastRequest();
    assertThat(up.method()).isEqualTo("GET");
    assertThat(up.path()).isEqualTo("/v1/responses/" + id);
    assertThat(up.header("authorization")).isEqualTo("Bearer " + Seed.UPSTREAM_KEY);

    HttpResponse<String> items = HARNESS.gateway().get(PATH + "/" + id + "/input_items?limit=5&order=asc", key);
    assertThat(items.statusCode()).as(items.body()).isEqualTo(200);
    JsonObject list = new JsonObject(items.body());
    assertThat(list.getString("object")).isEqualTo("list");
    assertThat(list.getJsonArray("data").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"))
        .isEqualTo("Say hello");
    assertThat(A.lastRequest().path()).isEqualTo("/v1/responses/" + id + "/input_items");
    assertThat(A.lastRequest().query("limit")).isEqualTo("5");
    assertThat(A.lastRequest().query("order")).isEqualTo("asc");

    HttpResponse<String> deleted = HARNESS.gateway().send("DELETE", PATH + "/" + id, key);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    assertThat(new JsonObject(deleted.body()).getMap()).containsEntry("id", id).containsEntry("object", "response.deleted")
        .containsEntry("deleted", true);
    assertThat(A.lastRequest().method()).isEqualTo("DELETE");
    assertThat(A.keeps(id)).isFalse();
    assertThat(mapping(seed, id)).isNull();
    // gone: the gateway answers without asking the provider
    int calls = A.requests().size();
    error(HARNESS.gateway().get(PATH + "/" + id, key), 404, "response_not_found", null);
    assertThat(A.requests()).hasSize(calls);
    assertThat(B.requests()).isEmpty();

    // nothing reserved or billed for the reads: one usage record (the creation), spend unchanged
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).hasSize(1);
    assertThat(HARNESS.redis().hgetAll(daily)).containsEntry("spent", "5").containsEntry("reserved", "0");
    assertThat(HARNESS.redis().hget(RedisKeys.totals(seed.tenant, Period.Month.key(Instant.now())), "requests")).isEqualTo("1");
    // but the metrics see them, by endpoint
    assertThat(HARNESS.gateway().metrics.scrape())
        .containsPattern("tollgate_requests_total\\{endpoint=\"responses.retrieve\"[^}]*provider=\"a\"[^}]*status=\"200\"")
        .contains("endpoint=\"responses.input_items\"").contains("endpoint=\"responses.delete\"");
  }

  @Test
  void aProviderRefusingTheGatewaysOwnCredentialOnAReadIsAnUpstreamErrorNotTheClientsAuthFailure() {
    Seed seed = tenant(List.of("a"));
    String key = seed.key("k");
    String id = idOf(create(key, ""));
    // the operator's provider key was revoked (401) or its project lost access (403)
    for (int status : new int[] {401, 403}) {
      A.enqueue(Reply.json(status, FakeOpenAiCompatible.error("Incorrect API key provided: sk-proj-ab**********cd.",
          "invalid_request_error", "invalid_api_key")));

      HttpResponse<String> r = HARNESS.gateway().get(PATH + "/" + id, key);

      // the client's key is fine: an SDK must not raise its authentication error and drop the key
      assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
      JsonObject e = new JsonObject(r.body()).getJsonObject("error");
      assertThat(e.getString("code")).isEqualTo("upstream_error");
      assertThat(e.getString("type")).isEqualTo("api_error");
      assertThat(r.headers().firstValue("x-tollgate-provider")).contains("a");
    }
    // a provider answer about the response itself still passes through
    A.enqueue(Reply.json(404, FakeOpenAiCompatible.error("Response with id '" + id + "' not found.",
        "invalid_request_error", null)));
    assertThat(HARNESS.gateway().get(PATH + "/" + id, key).statusCode()).isEqualTo(404);
  }

  @Test
  void aFollowUpTheProviderNoLongerHoldsIsOpenAisPreviousResponseNotFound() throws Exception {
    Seed seed = tenant(List.of("a"));
    String key = seed.key("k");
    String id = idOf(create(key, ""));
    // deleted at the provider behind the gateway's back (or the entry's key moved to another project)
    HttpResponse<String> gone = TestGateway.HTTP.send(HttpRequest.newBuilder(URI.create(A.baseUrl() + "/responses/" + id))
        .header("authorization", "Bearer " + Seed.UPSTREAM_KEY).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(gone.statusCode()).isEqualTo(200);
    assertThat(mapping(seed, id)).isNotNull();

    HttpResponse<String> r = HARNESS.gateway().post(PATH, key, body(",\"previous_response_id\":\"" + id + "\""));

    // the code agents recover from (by resending the conversation), not a gateway-specific one
    error(r, 400, "previous_response_not_found", "previous_response_id");
    assertThat(A.lastRequest().json().getString("previous_response_id")).isEqualTo(id);
  }

  @Test
  void aQueryWithCharactersAUriMayNotHoldRawIsPassedOnEncodedNotAnInternalError() throws Exception {
    Seed seed = tenant(List.of("a"));
    String key = seed.key("k");
    String id = idOf(create(key, ""));

    // what curl sends as typed (HTTP clients of the JDK refuse to): a raw '|' and '"' in the query
    String r = rawGet(PATH + "/" + id + "/input_items?limit=1&after=x|y&order=\"asc\"", key);

    assertThat(r).startsWith("HTTP/1.1 200");
    assertThat(A.lastRequest().path()).isEqualTo("/v1/responses/" + id + "/input_items");
    assertThat(A.lastRequest().query("limit")).isEqualTo("1");
    assertThat(A.lastRequest().query("after")).isEqualTo("x|y");
    assertThat(A.lastRequest().query("order")).isEqualTo("\"asc\"");
  }

  /** A GET written on the socket as it is (status line, headers and body of the answer). */
  static String rawGet(String target, String key) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", URI.create(HARNESS.gateway().url("/")).getPort())) {
      s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
          + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void readsCountAgainstTheKeysRequestsPerMinute() {
    Seed seed = tenant(List.of("a"));
    // two requests a minute
    String key = seed.key("two-rpm", 2, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(10));
    String id = idOf(create(key, ""));

    assertThat(HARNESS.gateway().get(PATH + "/" + id, key).statusCode()).isEqualTo(200);
    HttpResponse<String> third = HARNESS.gateway().get(PATH + "/" + id, key);

    assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
    assertThat(new JsonObject(third.body()).getJsonObject("error").getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(third.headers().firstValue("retry-after")).isPresent();
    assertThat(A.requests()).hasSize(2);
  }

  @Test
  void storeFalseLeavesNoMappingAndItsIdCannotBeContinued() {
    Seed seed = tenant(List.of("a"));
    String key = seed.key("k");
    String id = idOf(create(key, ",\"store\":false"));

    assertThat(mapping(seed, id)).isNull();
    assertThat(HARNESS.redis().keys(RedisKeys.tenantPrefix(seed.tenant) + "resp:*")).isEmpty();
    A.reset();
    error(HARNESS.gateway().post(PATH, key, body(",\"previous_response_id\":\"" + id + "\"")), 400,
        "previous_response_not_found", "previous_response_id");
    assertThat(A.requests()).isEmpty();
  }

  @Test
  void aStoredMappingExpiresWithOpenAisRetention() {
    Seed seed = tenant(List.of("a"));
    String id = idOf(create(seed.key("k"), ",\"store\":true"));

    long ttl = HARNESS.redis().ttl(RedisKeys.storedResponse(seed.tenant, id));
    assertThat(ttl).isBetween(ResponseStore.RETENTION.toSeconds() - 60, ResponseStore.RETENTION.toSeconds());
    assertThat(ResponseStore.RETENTION).isEqualTo(Duration.ofDays(30));
  }

  @Test
  void aStreamedResponsesIdIsPinnedBeforeItsFirstEventReachesTheClient() throws Exception {
    Seed seed = tenant(List.of("a"));
    String key = seed.key("k");
    A.eventDelayMs(150); // the whole stream takes ~1.5 s: the mapping must be there long before its end
    HttpRequest post = HttpRequest.newBuilder(URI.create(HARNESS.gateway().url(PATH))).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json").header("authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString(body(",\"stream\":true"))).build();

    HttpResponse<Stream<String>> r = TestGateway.HTTP.send(post, HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    String id = null;
    try (Stream<String> lines = r.body()) {
      Iterator<String> it = lines.iterator();
      while (id == null && it.hasNext()) {
        String line = it.next();
        if (line.startsWith("data: ")) {
          JsonObject created = new JsonObject(line.substring(6));
          assertThat(created.getString("type")).isEqualTo("response.created");
          id = created.getJsonObject("response").getString("id");
          // the client holds the id: the gateway can already route a follow-up with it
          assertThat(mapping(seed, id)).isNotNull();
        }
      }
      assertThat(id).isNotNull();
      it.forEachRemaining(l -> { });
    }
    A.eventDelayMs(0);

    HttpResponse<String> next = create(key, ",\"previous_response_id\":\"" + id + "\"");
    assertThat(text(next)).isEqualTo("turn 2 at a");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("stream", "true").containsEntry("tokensOut", "5");
  }

  @Test
  void theOfficialOpenAiSdkContinuesRetrievesListsAndDeletesAStoredResponse() {
    Seed seed = tenant(List.of("b", "a"));
    B.always(Reply.json(503, new JsonObject().put("error", new JsonObject().put("message", "down"))));
    OpenAIClient client = sdk(seed.key("k"));
    ResponseCreateParams.Builder ask = ResponseCreateParams.builder().model(Seed.MODEL).maxOutputTokens(50);

    Response first = client.responses().create(ask.input("Say hello").build());
    B.always(null);
    Response second = client.responses().create(ask.input("And then?").previousResponseId(first.id()).build());

    assertThat(second.output().get(0).asMessage().content().get(0).asOutputText().text()).isEqualTo("turn 2 at a");
    assertThat(second.previousResponseId()).contains(first.id());
    assertThat(client.responses().retrieve(second.id()).id()).isEqualTo(second.id());
    assertThat(client.responses().inputItems().list(second.id()).data()).hasSize(1);
    client.responses().delete(first.id());
    assertThatThrownBy(() -> client.responses().retrieve(first.id())).isInstanceOfSatisfying(NotFoundException.class,
        e -> assertThat(e.code()).contains("response_not_found"));
    OpenAIClient stranger = sdk(tenant(List.of("a")).key("k"));
    assertThatThrownBy(() -> stranger.responses().create(ask.input("Hi").previousResponseId(second.id()).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.code()).contains("previous_response_not_found");
          assertThat(e.param()).contains("previous_response_id");
        });
    assertThatThrownBy(() -> stranger.responses().retrieve(second.id())).isInstanceOf(NotFoundException.class);
    assertThat(B.requests()).hasSize(1); // only the first attempt of the first turn
  }

  static OpenAIClient sdk(String key) {
    return OpenAIOkHttpClient.builder().baseUrl(HARNESS.gateway().url("/v1")).apiKey(key).maxRetries(0).build();
  }

  @Test
  void malformedAndUnknownIdsAreRefusedInTheOpenAiEnvelope() {
    Seed seed = tenant(List.of("a"));
    String key = seed.key("k");

    error(HARNESS.gateway().post(PATH, key, body(",\"previous_response_id\":\"resp 1/../x\"")), 400, "invalid_request",
        "previous_response_id");
    error(HARNESS.gateway().post(PATH, key, body(",\"previous_response_id\":\"resp_unknown\"")), 400,
        "previous_response_not_found", "previous_response_id");
    error(HARNESS.gateway().get(PATH + "/resp.1", key), 400, "invalid_request", "response_id");
    error(HARNESS.gateway().get(PATH + "/resp_unknown", key), 404, "response_not_found", null);
    error(HARNESS.gateway().get(PATH + "/resp_unknown/input_items", key), 404, "response_not_found", null);
    error(HARNESS.gateway().send("DELETE", PATH + "/resp_unknown", key), 404, "response_not_found", null);
    assertThat(A.requests()).isEmpty();
    assertThat(HARNESS.gateway().get(PATH + "/resp_unknown", null).statusCode()).isEqualTo(401);
    assertThat(HARNESS.gateway().get(PATH + "/resp_unknown", "tg-not-a-key").statusCode()).isEqualTo(401);
  }

  @Test
  void backgroundResponsesAreRefusedAndSoCancelHasNothingToCancel() {
    Seed seed = tenant(List.of("a"));
    String key = seed.key("k");

    error(HARNESS.gateway().post(PATH, key, body(",\"background\":true")), 400, "background_not_supported", "background");
    assertThat(A.requests()).isEmpty();

    String id = idOf(create(key, ""));
    error(HARNESS.gateway().post(PATH + "/" + id + "/cancel", key, ""), 400, "background_not_supported", "background");
    error(HARNESS.gateway().post(PATH + "/resp_unknown/cancel", key, ""), 404, "response_not_found", null);
    assertThat(A.requests()).hasSize(1);
  }

  /** A tenant whose route for {@link Seed#MODEL} has one target, on the harness's scripted provider. */
  static Seed scripted() {
    Seed seed = HARNESS.seed().tenant();
    return OpenAiShapedRoutes.route(seed, Map.of("p", seed.provider(HARNESS.fake().baseUrl())), List.of("p"),
        ResponseStateTest::target);
  }

  @Test
  void aFollowUpReservesTheConversationTheProviderReplaysSoACapHoldsAgainstIt() {
    // turn 1 stored a long conversation: 100,000 tokens in, 2,000 out ($0.15/$0.60 per million: 16,200 micros)
    Seed seed = scripted().cap("month", "Tenant", null, "Reject", Period.Month, 30_000);
    String key = seed.key("k");
    HARNESS.fake().enqueue(Reply.json(200, Responses.response("long", 100_000, 0, 2_000, 0).put("id", "resp_long_1")));
    create(key, "");
    assertThat(new JsonObject(mapping(seed, "resp_long_1")).getLong("tokens")).isEqualTo(102_000L);

    // turn 2 says little, but the provider replays the 102,000 tokens as input (15,300 micros): more than
    // the 13,800 left, so the cap refuses it before it is sent, instead of letting it spend past the limit
    HttpResponse<String> next = HARNESS.gateway().post(PATH, key, body(",\"previous_response_id\":\"resp_long_1\""));

    assertThat(next.statusCode()).as(next.body()).isEqualTo(402);
    assertThat(new JsonObject(next.body()).getJsonObject("error").getString("code")).isEqualTo("spend_cap_exceeded");
    assertThat(HARNESS.fake().requests()).hasSize(1);
  }

  @Test
  void aStreamedTurnsConversationIsRememberedWithItsSizeAndAFollowUpsReservationCoversIt() {
    Seed seed = scripted();
    String key = seed.key("k");
    List<String> events = Responses.textEvents(List.of("long ", "answer"), 100_000, 0, 2_000).stream()
        .map(e -> e.replace(Responses.ID, "resp_streamed_1")).toList();
    HARNESS.fake().enqueue(Reply.sse(events));
    HttpResponse<String> first = HARNESS.gateway().post(PATH, key, body(",\"stream\":true"));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    // once the stream completed, the pin holds what the provider reported: input and output
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(new JsonObject(mapping(seed, "resp_streamed_1")).getLong("tokens")).isEqualTo(102_000L));

    HARNESS.fake().enqueue(Reply.json(200, Responses.response("ok", 102_010, 0, 5, 0).put("id", "resp_streamed_2")));
    create(key, ",\"previous_response_id\":\"resp_streamed_1\"");

    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 2);
    assertThat(rec).containsEntry("tokensIn", "102010").containsEntry("costMicros", "15305");
    assertThat(Long.parseLong(rec.get("reservedMicros"))).isGreaterThanOrEqualTo(15_305L);
  }
}
