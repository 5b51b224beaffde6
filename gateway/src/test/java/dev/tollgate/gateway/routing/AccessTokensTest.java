package dev.tollgate.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeGoogleOAuth;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Access tokens against a fake Google token endpoint over real HTTP, which verifies every signed
 * assertion with the account's public key; the cache runs on a clock of the test's own.
 */
class AccessTokensTest {

  @RegisterExtension static final FakeGoogleOAuth OAUTH = new FakeGoogleOAuth();
  static final Vertx VERTX = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
  static final UpstreamCaller CALLER = new UpstreamCaller(VERTX, 1 << 20);
  static final RoutePlan.Timeouts TIMEOUTS = new RoutePlan.Timeouts(2_000, 2_000, 5_000);
  static final String SCOPE = FakeGoogleOAuth.SCOPE;

  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final AccessTokens tokens = new AccessTokens(VERTX, now::get);

  @AfterAll
  static void close() {
    CALLER.close();
    VERTX.close();
  }

  /** A token request made on {@code ctx}; fails if its answer arrives on another context. */
  CompletableFuture<String> on(Context ctx, String key) {
    CompletableFuture<String> out = new CompletableFuture<>();
    ctx.runOnContext(v -> tokens.token(key, SCOPE, CALLER, TIMEOUTS).onComplete(ar -> {
      if (Vertx.currentContext() != ctx) {
        out.completeExceptionally(new AssertionError("answered on another context"));
      } else if (ar.succeeded()) {
        out.complete(ar.result());
      } else {
        out.completeExceptionally(ar.cause());
      }
    }));
    return out;
  }

  String token(String key) {
    return join(on(VERTX.getOrCreateContext(), key));
  }

  /** The future {@link AccessTokens#token} returned, as it was at once (complete or not). */
  Future<String> immediately(String key) {
    CompletableFuture<Future<String>> f = new CompletableFuture<>();
    VERTX.getOrCreateContext().runOnContext(v -> f.complete(tokens.token(key, SCOPE, CALLER, TIMEOUTS)));
    return join(f);
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static UpstreamError failure(CompletableFuture<String> f) {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(UpstreamException.class);
      return ((UpstreamException) e.getCause()).error();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    throw new AssertionError("the token request succeeded");
  }

  @Test
  void concurrentRequestsOnSeveralEventLoopsShareOneTokenRequestAndEachIsAnsweredOnItsOwnLoop() {
    FakeGoogleOAuth.Account account = OAUTH.account();
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(on(VERTX.getOrCreateContext(), account.json()));
    }
    String first = join(calls.get(0));
    assertThat(calls).allSatisfy(c -> assertThat(join(c)).isEqualTo(first));
    assertThat(OAUTH.tokenRequests()).isEqualTo(1);
    assertThat(OAUTH.rejections()).isEmpty();
    assertThat(OAUTH.valid(first)).isTrue();
    assertThat(OAUTH.issuedTo()).containsEntry(first, account.keyId());

    for (int i = 0; i < 20; i++) {
      assertThat(token(account.json())).isEqualTo(first);
    }
    assertThat(OAUTH.tokenRequests()).as("served from memory").isEqualTo(1);
  }

  @Test
  void aTokenIsRefreshedInTheBackgroundFiveMinutesBeforeItExpires() {
    String key = OAUTH.account().json();
    String first = token(key); // expires_in 3599 s
    now.addAndGet(Duration.ofMinutes(54).toMillis());
    assertThat(token(key)).isEqualTo(first);
    assertThat(OAUTH.tokenRequests()).isEqualTo(1);

    now.addAndGet(Duration.ofMinutes(2).toMillis()); // under 5 minutes left
    Future<String> during = immediately(key);
    assertThat(during.succeeded()).as("the old token is served at once while the refresh runs").isTrue();
    assertThat(during.result()).isEqualTo(first);
    await().atMost(Duration.ofSeconds(5)).until(() -> OAUTH.tokenRequests() == 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> !token(key).equals(first));
    assertThat(OAUTH.tokenRequests()).isEqualTo(2);
  }

  @Test
  void anExpiredTokenIsNeverServedAndAFailedRefreshIsTheRequestsError() {
    String key = OAUTH.account().json();
    String first = token(key);
    OAUTH.failWith(503);
    now.addAndGet(Duration.ofMinutes(56).toMillis());
    assertThat(token(key)).as("still valid: served while the refresh fails").isEqualTo(first);
    await().atMost(Duration.ofSeconds(5)).until(() -> OAUTH.tokenRequests() == 2);

    now.addAndGet(Duration.ofSeconds(3 * 60 + 30).toMillis()); // 29 s before it expires
    UpstreamError e = failure(on(VERTX.getOrCreateContext(), key));
    assertThat(e).isEqualTo(new UpstreamError(503, UpstreamError.Kind.SERVER_ERROR,
        "access token: token endpoint answered 503: internal_failure: try again later", -1));

    OAUTH.failWith(0);
    String next = token(key);
    assertThat(next).isNotEqualTo(first);
    assertThat(OAUTH.valid(next)).isTrue();
  }

  @Test
  void aTokenTheProviderRefusedIsNotServedAgain() {
    String key = OAUTH.account().json();
    String first = token(key);
    tokens.rejected(key, "ya29.some-other-token");
    assertThat(token(key)).isEqualTo(first);
    tokens.rejected(key, first);
    assertThat(token(key)).isNotEqualTo(first);
    assertThat(OAUTH.tokenRequests()).isEqualTo(2);
  }

  @Test
  void aRotatedKeyGetsItsOwnToken() {
    FakeGoogleOAuth.Account old = OAUTH.account();
    FakeGoogleOAuth.Account rotated = OAUTH.account();
    String a = token(old.json());
    String b = token(rotated.json());
    assertThat(a).isNotEqualTo(b);
    assertThat(OAUTH.issuedTo()).containsEntry(a, old.keyId()).containsEntry(b, rotated.keyId());
  }

  @Test
  void failuresAreFallbackTriggersNamingTheTokenAndNoSecret() throws Exception {
    FakeGoogleOAuth.Account account = OAUTH.account();
    String pem = new io.vertx.core.json.JsonObject(account.json()).getString("private_key");
    String keyBody = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();

    UpstreamError broken = failure(on(VERTX.getOrCreateContext(),
        "{\"type\":\"service_account\",\"client_email\":\"a@b\",\"private_key\":\"" + keyBody + "\"}"));
    assertThat(broken).isEqualTo(new UpstreamError(0, UpstreamError.Kind.SERVER_ERROR,
        "access token: the service-account key's private_key is not a PKCS#8 PEM (BEGIN PRIVATE KEY)", -1));

    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    UpstreamError down = failure(on(VERTX.getOrCreateContext(), OAUTH.account("http://127.0.0.1:" + deadPort + "/token").json()));
    assertThat(down.kind()).isEqualTo(UpstreamError.Kind.CONNECT_ERROR);
    assertThat(down.message()).startsWith("access token: cannot reach upstream");

    OAUTH.revoke(account);
    UpstreamError refused = failure(on(VERTX.getOrCreateContext(), account.json()));
    assertThat(refused).isEqualTo(new UpstreamError(400, UpstreamError.Kind.SERVER_ERROR,
        "access token: token endpoint answered 400: invalid_grant: Invalid JWT: unknown kid", -1));

    assertThat(List.of(broken, down, refused)).allSatisfy(e -> assertThat(e.message())
        .doesNotContain(keyBody).doesNotContain("PRIVATE KEY-----\n").doesNotContain(account.keyId()));
  }
}
