package dev.tollgate.schema;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals provider credentials before they are written into a {@link RoutePlan} in Redis, and opens
 * them in the gateway: AES-256-GCM with a random 96-bit nonce, the policy id as associated data
 * (a sealed value copied to another policy does not open).
 *
 * <p>The 32-byte key is shared by the operator and the gateway only (a Kubernetes Secret mounted into
 * both); Redis never holds a credential in plain text. Format: {@code v1:<base64(nonce|ciphertext)>}.
 */
public final class CredentialSealer {

  private static final String VERSION = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private CredentialSealer(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("credentials key must be 32 bytes (base64 of 32 random bytes)");
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
  }

  /** From the base64 form of a 32-byte key (as in {@code TOLLGATE_CREDENTIALS_KEY}). */
  public static CredentialSealer fromBase64(String base64Key) {
    if (base64Key == null || base64Key.isBlank()) {
      throw new IllegalArgumentException("credentials key is empty");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64Key.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("credentials key is not valid base64", e);
    }
    return new CredentialSealer(raw);
  }

  /** A new random key, base64: {@code openssl rand -base64 32} does the same. */
  public static String newKeyBase64() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  public String seal(String plaintext, String context) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct);
      return VERSION + Base64.getEncoder().encodeToString(out.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sealing failed", e);
    }
  }

  /** Opens a sealed value; throws {@link IllegalArgumentException} if it was sealed with another key or context. */
  public String open(String sealed, String context) {
    if (sealed == null || !sealed.startsWith(VERSION)) {
      throw new IllegalArgumentException("not a sealed credential");
    }
    try {
      byte[] all = Base64.getDecoder().decode(sealed.substring(VERSION.length()));
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] pt = c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
      return new String(pt, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("sealed credential does not open with this key", e);
    }
  }
}
