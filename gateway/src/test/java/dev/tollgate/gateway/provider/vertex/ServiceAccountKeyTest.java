package dev.tollgate.gateway.provider.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Reading key files; the signature itself is verified by {@code FakeGoogleOAuth} in the routing tests. */
class ServiceAccountKeyTest {

  static final String SECRET = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj";

  @Test
  void aBrokenKeyFileIsRefusedWithAMessageThatHoldsNoneOfIt() {
    assertThatThrownBy(() -> ServiceAccountKey.parse("-----BEGIN PRIVATE KEY-----\n" + SECRET))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("the service-account key is not a JSON object")
        .hasNoCause();
    assertThatThrownBy(() -> ServiceAccountKey.parse(new JsonObject().put("type", "authorized_user")
        .put("client_secret", SECRET).encode()))
        .hasMessage("the service-account key's type is not service_account");
    assertThatThrownBy(() -> ServiceAccountKey.parse(new JsonObject().put("type", "service_account")
        .put("private_key", SECRET).encode()))
        .hasMessage("the service-account key has no client_email");
    assertThatThrownBy(() -> ServiceAccountKey.parse(key("-----BEGIN RSA PRIVATE KEY-----\n" + SECRET
        + "\n-----END RSA PRIVATE KEY-----\n")))
        .hasMessage("the service-account key's private_key is not a PKCS#8 PEM (BEGIN PRIVATE KEY)");
    assertThatThrownBy(() -> ServiceAccountKey.parse(key("-----BEGIN PRIVATE KEY-----\n" + SECRET
        + "\n-----END PRIVATE KEY-----\n")))
        .hasMessage("the service-account key's private_key is not a readable RSA key").hasNoCause();
  }

  @Test
  void theAssertionCarriesTheKeyIdAndGooglesClaims() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(g.generateKeyPair().getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    ServiceAccountKey key = ServiceAccountKey.parse(new JsonObject().put("type", "service_account")
        .put("client_email", "gw@acme-prod.iam.gserviceaccount.com").put("private_key_id", "kid-1")
        .put("private_key", pem).encode());
    assertThat(key.tokenUri()).as("the default token URI").isEqualTo("https://oauth2.googleapis.com/token");
    assertThat(key).hasToString("ServiceAccountKey[gw@acme-prod.iam.gserviceaccount.com]");

    String[] jwt = key.assertion("https://www.googleapis.com/auth/cloud-platform", 1_700_000_000L).split("\\.");
    assertThat(jwt).hasSize(3);
    assertThat(json(jwt[0])).isEqualTo(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", "kid-1"));
    assertThat(json(jwt[1])).isEqualTo(new JsonObject().put("iss", "gw@acme-prod.iam.gserviceaccount.com")
        .put("sub", "gw@acme-prod.iam.gserviceaccount.com").put("aud", "https://oauth2.googleapis.com/token")
        .put("scope", "https://www.googleapis.com/auth/cloud-platform").put("iat", 1_700_000_000L)
        .put("exp", 1_700_003_600L));
    assertThat(Base64.getUrlDecoder().decode(jwt[2])).hasSize(256);
  }

  private static String key(String pem) {
    return new JsonObject().put("type", "service_account").put("client_email", "a@b").put("private_key", pem).encode();
  }

  private static JsonObject json(String b64url) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(b64url), StandardCharsets.UTF_8));
  }
}
