package dev.tollgate.gateway.provider.vertex;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * A Google service-account key (the JSON file Google issues: {@code type}, {@code client_email},
 * {@code private_key_id}, {@code private_key} as a PKCS#8 PEM, {@code token_uri}), able to sign the
 * JWT that Google's token endpoint exchanges for an OAuth2 access token ("Using OAuth 2.0 for Server
 * to Server Applications"). Error messages name the missing field, never a value, and {@link
 * #toString()} names only the account.
 */
public final class ServiceAccountKey {

  /** Google's token endpoint, for keys without {@code token_uri}. */
  public static final String DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";

  /** How long the signed assertion is valid: Google's maximum, one hour. */
  public static final long ASSERTION_LIFETIME_SECONDS = 3600;

  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final String clientEmail;
  private final String privateKeyId;
  private final String tokenUri;
  private final PrivateKey privateKey;

  private ServiceAccountKey(String clientEmail, String privateKeyId, String tokenUri, PrivateKey privateKey) {
    this.clientEmail = clientEmail;
    this.privateKeyId = privateKeyId;
    this.tokenUri = tokenUri;
    this.privateKey = privateKey;
  }

  /**
   * Reads a key file's JSON. Throws {@link IllegalArgumentException} with a message safe to log (no
   * part of the input, and no cause that could carry one).
   */
  public static ServiceAccountKey parse(String json) {
    JsonObject o;
    try {
      o = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("the service-account key is not a JSON object");
    }
    if (!"service_account".equals(o.getValue("type"))) {
      throw new IllegalArgumentException("the service-account key's type is not service_account");
    }
    String email = text(o, "client_email");
    String pem = text(o, "private_key");
    String tokenUri = o.getValue("token_uri") instanceof String s && !s.isBlank() ? s : DEFAULT_TOKEN_URI;
    String keyId = o.getValue("private_key_id") instanceof String s && !s.isBlank() ? s : null;
    return new ServiceAccountKey(email, keyId, tokenUri, privateKey(pem));
  }

  private static String text(JsonObject o, String field) {
    if (o.getValue(field) instanceof String s && !s.isBlank()) {
      return s;
    }
    throw new IllegalArgumentException("the service-account key has no " + field);
  }

  private static PrivateKey privateKey(String pem) {
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("the service-account key's private_key is not a PKCS#8 PEM (BEGIN PRIVATE KEY)");
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IllegalArgumentException("the service-account key's private_key is not a readable RSA key");
    }
  }

  public String clientEmail() {
    return clientEmail;
  }

  /** Where the signed assertion is exchanged for an access token. */
  public String tokenUri() {
    return tokenUri;
  }

  /**
   * The signed JWT (RS256, header {@code kid} = {@code private_key_id}) asking for a token with
   * {@code scope}: {@code iss} and {@code sub} the account, {@code aud} the token URI, valid from
   * {@code nowEpochSeconds} for {@link #ASSERTION_LIFETIME_SECONDS}.
   */
  public String assertion(String scope, long nowEpochSeconds) {
    JsonObject header = new JsonObject().put("alg", "RS256").put("typ", "JWT");
    if (privateKeyId != null) {
      header.put("kid", privateKeyId);
    }
    JsonObject claims = new JsonObject()
        .put("iss", clientEmail)
        .put("sub", clientEmail)
        .put("aud", tokenUri)
        .put("scope", scope)
        .put("iat", nowEpochSeconds)
        .put("exp", nowEpochSeconds + ASSERTION_LIFETIME_SECONDS);
    String signingInput = b64(header.encode()) + "." + b64(claims.encode());
    try {
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initSign(privateKey);
      rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64URL.encodeToString(rs256.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the service-account key cannot sign: " + e.getClass().getSimpleName());
    }
  }

  private static String b64(String json) {
    return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "ServiceAccountKey[" + clientEmail + "]";
  }
}
