package dev.tollgate.gateway.fake;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fake Google OAuth2 token endpoint for service accounts: {@code POST /token} with the form {@code
 * grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>}. It checks the JWT as
 * Google would: RS256 signature by the public key of an {@link #account() account} it made (an RSA
 * key pair generated in the test, found by the header's {@code kid}), {@code iss} and {@code sub}
 * the account's email, {@code aud} this endpoint, the cloud-platform scope, {@code exp = iat + 3600}
 * and {@code iat} within a minute of now. It then issues a new token {@code
 * {"access_token","expires_in","token_type":"Bearer"}}; anything else is 400 {@code invalid_grant},
 * and why is kept in {@link #rejections()}. {@link #failWith} makes it answer an error instead.
 */
public final class FakeGoogleOAuth implements AutoCloseable, BeforeEachCallback, AfterAllCallback {

  public static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

  /** A service account of this fake: its key file's JSON and key id. */
  public record Account(String email, String keyId, String json) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
  private final Map<String, String> emails = new ConcurrentHashMap<>();
  private final Set<String> issued = ConcurrentHashMap.newKeySet();
  private final Map<String, String> issuedTo = new ConcurrentHashMap<>();
  private final List<String> assertions = new CopyOnWriteArrayList<>();
  private final List<String> rejections = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int failWith;
  private volatile long expiresIn = 3599;

  public FakeGoogleOAuth() {
    server = FakeProvider.await(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
  }

  public String tokenUri() {
    return "http://127.0.0.1:" + server.actualPort() + "/token";
  }

  /** A new service account whose key this endpoint accepts, its key file pointing here. */
  public Account account() {
    return account(tokenUri());
  }

  /** A new service account whose key file names {@code tokenUri} (e.g. an endpoint that is down). */
  public Account account(String tokenUri) {
    KeyPair pair;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      pair = g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    String keyId = UUID.randomUUID().toString().replace("-", "");
    String email = "tollgate-" + keyId.substring(0, 6) + "@acme-prod.iam.gserviceaccount.com";
    keys.put(keyId, pair.getPublic());
    emails.put(keyId, email);
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    String json = new JsonObject()
        .put("type", "service_account")
        .put("project_id", "acme-prod")
        .put("private_key_id", keyId)
        .put("private_key", pem)
        .put("client_email", email)
        .put("client_id", "1234567890")
        .put("auth_uri", "https://accounts.google.com/o/oauth2/auth")
        .put("token_uri", tokenUri)
        .encodePrettily();
    return new Account(email, keyId, json);
  }

  /** The key is deleted: its assertions are refused and the tokens it bought stop working. */
  public void revoke(Account account) {
    keys.remove(account.keyId());
    issuedTo.forEach((token, keyId) -> {
      if (keyId.equals(account.keyId())) {
        issued.remove(token);
      }
    });
  }

  /** Every token issued so far stops working (Vertex will answer 401). */
  public void revokeTokens() {
    issued.clear();
  }

  /** True if {@code token} was issued here and is still good. */
  public boolean valid(String token) {
    return issued.contains(token);
  }

  /** Answer every token request with this status and a Google error body (0: serve normally). */
  public void failWith(int status) {
    this.failWith = status;
  }

  /** The {@code expires_in} of the tokens issued from now on. */
  public void expiresIn(long seconds) {
    this.expiresIn = seconds;
  }

  public int tokenRequests() {
    return requests.get();
  }

  /** Tokens issued, and the key id that bought each. */
  public Map<String, String> issuedTo() {
    return Map.copyOf(issuedTo);
  }

  /** The assertions received (secrets a test checks never leak). */
  public List<String> assertions() {
    return List.copyOf(assertions);
  }

  /** Why assertions were refused. */
  public List<String> rejections() {
    return List.copyOf(rejections);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    failWith = 0;
    expiresIn = 3599;
    requests.set(0);
    rejections.clear();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    FakeProvider.await(server.close());
    FakeProvider.await(vertx.close());
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      requests.incrementAndGet();
      if (failWith != 0) {
        req.response().setStatusCode(failWith).putHeader("content-type", "application/json")
            .end(new JsonObject().put("error", "internal_failure").put("error_description", "try again later").encode());
        return;
      }
      Map<String, String> form = form(body.toString());
      String problem = !"POST".equals(req.method().name()) || !"/token".equals(req.path()) ? "not POST /token"
          : !"application/x-www-form-urlencoded".equals(req.getHeader("content-type")) ? "not a form"
          : !"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type")) ? "grant_type"
          : form.get("assertion") == null ? "no assertion"
          : problem(form.get("assertion"));
      if (problem != null) {
        rejections.add(problem);
        req.response().setStatusCode(400).putHeader("content-type", "application/json")
            .end(new JsonObject().put("error", "invalid_grant").put("error_description", "Invalid JWT: " + problem).encode());
        return;
      }
      assertions.add(form.get("assertion"));
      String token = "ya29.c." + UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
      issued.add(token);
      issuedTo.put(token, new JsonObject(decode(form.get("assertion").split("\\.")[0])).getString("kid"));
      req.response().putHeader("content-type", "application/json; charset=utf-8")
          .end(new JsonObject().put("access_token", token).put("expires_in", expiresIn).put("token_type", "Bearer").encode());
    });
  }

  /** What is wrong with a JWT assertion, or null when Google would accept it. */
  private String problem(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      return "not a JWS compact serialization";
    }
    JsonObject header = new JsonObject(decode(parts[0]));
    JsonObject claims = new JsonObject(decode(parts[1]));
    if (!"RS256".equals(header.getString("alg"))) {
      return "alg " + header.getString("alg");
    }
    PublicKey key = keys.get(header.getString("kid", ""));
    if (key == null) {
      return "unknown kid";
    }
    try {
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initVerify(key);
      rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!rs256.verify(Base64.getUrlDecoder().decode(parts[2]))) {
        return "Invalid JWT Signature.";
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return "Invalid JWT Signature.";
    }
    String email = emails.get(header.getString("kid"));
    long now = System.currentTimeMillis() / 1000;
    long iat = claims.getLong("iat", 0L);
    Map<String, Object> expected = new HashMap<>();
    expected.put("iss", email);
    expected.put("sub", email);
    expected.put("aud", tokenUri());
    expected.put("scope", SCOPE);
    for (Map.Entry<String, Object> e : expected.entrySet()) {
      if (!e.getValue().equals(claims.getValue(e.getKey()))) {
        return "claim " + e.getKey();
      }
    }
    if (Math.abs(now - iat) > 60) {
      return "iat not now";
    }
    if (claims.getLong("exp", 0L) != iat + 3600) {
      return "exp is not iat + 3600";
    }
    return null;
  }

  private static String decode(String b64url) {
    return new String(Base64.getUrlDecoder().decode(b64url), StandardCharsets.UTF_8);
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
