package dev.tollgate.gateway.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.vertex.ServiceAccountKey;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * OAuth2 access tokens for the service-account keys of {@code vertex-ai} providers (ADR 0046): a
 * JWT signed with the key is exchanged at the key's {@code token_uri} for a token valid about an
 * hour. One token per key per gateway process, shared by its verticles: fetched once however many
 * requests want it at the same moment, then served from memory until {@link #REFRESH_BEFORE_MS}
 * before it expires; from then on the next request starts a refresh in the background and still
 * gets the old token, so a request waits only when no usable token exists (the first use of a key,
 * or after a failed refresh let it expire). A rotated Secret is another key, hence another entry.
 * Signing runs on a worker thread, the exchange on the Vert.x HTTP client. Thread-safe; a caller
 * always completes on its own context. Failures are {@link UpstreamException}s whose messages hold
 * neither the key nor a token.
 */
public final class AccessTokens implements Shareable {

  private static final String SHARED_NAME = "tollgate.routing";
  /** A token is refreshed this long before it expires. */
  static final long REFRESH_BEFORE_MS = Duration.ofMinutes(5).toMillis();
  /** A token this close to expiring is not sent: it could expire on the way. */
  static final long EXPIRY_MARGIN_MS = Duration.ofSeconds(30).toMillis();
  private static final int MAX_MESSAGE = 300;

  private final Vertx vertx;
  private final LongSupplier clock;
  /** By the key's JSON, as opened by the keyring (in memory only, like the keyring's own cache). */
  private final Cache<String, Entry> entries =
      Caffeine.newBuilder().maximumSize(1_000).expireAfterAccess(Duration.ofHours(2)).build();

  private record Token(String value, long expiresAtMs) {}

  /** One key's token and the fetch in flight, if any (guarded by the entry's monitor). */
  private static final class Entry {
    volatile Token token;
    Future<Token> inFlight;
  }

  public AccessTokens(Vertx vertx, LongSupplier clockMs) {
    this.vertx = vertx;
    this.clock = clockMs;
  }

  /** The process's tokens (one per Vert.x instance), on the system clock, created on first use. */
  public static AccessTokens shared(Vertx vertx) {
    return vertx.sharedData().<String, AccessTokens>getLocalMap(SHARED_NAME)
        .computeIfAbsent("accessTokens", k -> new AccessTokens(vertx, System::currentTimeMillis));
  }

  /** Replaces the process's tokens before a gateway starts (tests: a clock of their own). */
  public static void install(Vertx vertx, AccessTokens tokens) {
    vertx.sharedData().<String, AccessTokens>getLocalMap(SHARED_NAME).put("accessTokens", tokens);
  }

  /**
   * An access token for the service-account key {@code keyJson} with {@code scope}; a fetch sends
   * through {@code caller} within {@code timeouts}.
   */
  public Future<String> token(String keyJson, String scope, UpstreamCaller caller, RoutePlan.Timeouts timeouts) {
    Entry e = entries.get(keyJson, k -> new Entry());
    long now = clock.getAsLong();
    Token t = e.token;
    if (t != null && now < t.expiresAtMs() - REFRESH_BEFORE_MS) {
      return Future.succeededFuture(t.value());
    }
    Future<Token> fetch = fetch(e, keyJson, scope, caller, timeouts);
    if (t != null && now < t.expiresAtMs() - EXPIRY_MARGIN_MS) {
      return Future.succeededFuture(t.value()); // the refresh goes on without this request
    }
    return onCallersContext(fetch).map(Token::value);
  }

  /**
   * The provider refused {@code token} (401): it is not served again, so the next request fetches a
   * new one (a token revoked before its time, or a key disabled and enabled again).
   */
  public void rejected(String keyJson, String token) {
    Entry e = entries.getIfPresent(keyJson);
    if (e != null) {
      synchronized (e) {
        Token t = e.token;
        if (t != null && t.value().equals(token)) {
          e.token = null;
        }
      }
    }
  }

  /** The fetch in flight for {@code e}, or a new one: one at a time per key. */
  private Future<Token> fetch(Entry e, String keyJson, String scope, UpstreamCaller caller, RoutePlan.Timeouts timeouts) {
    Future<Token> f;
    synchronized (e) {
      if (e.inFlight != null) {
        return e.inFlight;
      }
      f = mint(keyJson, scope, caller, timeouts);
      e.inFlight = f;
    }
    f.onComplete(ar -> {
      synchronized (e) {
        if (ar.succeeded()) {
          e.token = ar.result();
        }
        e.inFlight = null;
      }
    });
    return f;
  }

  private Future<Token> mint(String keyJson, String scope, UpstreamCaller caller, RoutePlan.Timeouts timeouts) {
    // parsing the key and signing (RSA) take a millisecond or two: not on an event loop
    return vertx.executeBlocking(() -> {
          ServiceAccountKey key = ServiceAccountKey.parse(keyJson);
          // Google checks iat against its own clock: the wall clock, whatever the cache's clock says
          return Map.entry(key.tokenUri(), key.assertion(scope, System.currentTimeMillis() / 1000));
        }, false)
        .recover(e -> Future.failedFuture(failure(0, e instanceof IllegalArgumentException
            ? e.getMessage() : "the service-account key cannot be used")))
        .compose(signed -> caller.open(tokenRequest(signed.getKey(), signed.getValue()), timeouts))
        .compose(ex -> ex.body().andThen(b -> ex.done()).compose(body -> {
          int status = ex.response().statusCode();
          return status / 100 == 2 ? parseToken(body) : Future.failedFuture(refused(status, body));
        }))
        .recover(e -> Future.failedFuture(named(e)));
  }

  /** Every failure as an {@link UpstreamException} whose message says it was the token. */
  private static UpstreamException named(Throwable e) {
    UpstreamError u = e instanceof UpstreamException x ? x.error()
        : new UpstreamError(0, UpstreamError.Kind.SERVER_ERROR, e.getClass().getSimpleName(), -1);
    return new UpstreamException(new UpstreamError(u.status(), u.kind(), "access token: " + u.message(), -1));
  }

  private static UpstreamRequest tokenRequest(String tokenUri, String assertion) {
    String form = "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer", StandardCharsets.UTF_8)
        + "&assertion=" + assertion; // base64url and dots: nothing to encode
    return new UpstreamRequest(tokenUri,
        Map.of("content-type", "application/x-www-form-urlencoded", "accept", "application/json"), form, false);
  }

  private Future<Token> parseToken(Buffer body) {
    try {
      JsonObject o = body.toJsonObject();
      if (o.getValue("access_token") instanceof String value && !value.isEmpty()) {
        long expiresIn = o.getValue("expires_in") instanceof Number n ? n.longValue() : 3600;
        return Future.succeededFuture(new Token(value, clock.getAsLong() + expiresIn * 1000));
      }
    } catch (RuntimeException e) {
      // not JSON: answered below without echoing it
    }
    return Future.failedFuture(failure(200, "the token endpoint answered without an access_token"));
  }

  /**
   * A token endpoint's refusal ({@code {"error","error_description"}}, RFC 6749): never the client's
   * fault, so never a client error (a bad or disabled key, a wrong token_uri: the target is
   * misconfigured, and another target may serve).
   */
  private static UpstreamException refused(int status, Buffer body) {
    String detail = "";
    try {
      JsonObject o = body.toJsonObject();
      Object error = o.getValue("error");
      Object description = o.getValue("error_description");
      detail = (error instanceof String s ? ": " + s : "") + (description instanceof String s ? ": " + s : "");
    } catch (RuntimeException e) {
      // not JSON (a proxy's page): the status says enough
    }
    UpstreamError.Kind kind = OpenAiWire.kindForStatus(status);
    if (kind == UpstreamError.Kind.CLIENT_ERROR || kind == UpstreamError.Kind.CONTEXT_LENGTH) {
      kind = UpstreamError.Kind.SERVER_ERROR;
    }
    String message = "token endpoint answered " + status + detail;
    return new UpstreamException(new UpstreamError(status, kind,
        message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message, -1));
  }

  private static UpstreamException failure(int status, String message) {
    return new UpstreamException(new UpstreamError(status, UpstreamError.Kind.SERVER_ERROR, message, -1));
  }

  /** {@code f}, completing on the caller's context: a fetch may run on another verticle's event loop. */
  private static <T> Future<T> onCallersContext(Future<T> f) {
    Context here = Vertx.currentContext();
    if (here == null) {
      return f;
    }
    Promise<T> p = Promise.promise();
    f.onComplete(ar -> here.runOnContext(v -> p.handle(ar)));
    return p.future();
  }
}
