package dev.tollgate.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Client API keys: generation, hashing and the non-secret display prefix.
 *
 * <p>A generated key is {@code tg-} followed by 43 base62 characters (about 256 bits of entropy).
 * Only {@link #sha256Hex} of a key ever reaches Redis; {@link #displayPrefix} is what status shows.
 */
public final class ApiKeys {

  /** Every generated key starts with this, so leaked keys are recognisable by secret scanners. */
  public static final String PREFIX = "tg-";

  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final int RANDOM_CHARS = 43;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  /** A new random key. */
  public static String generate() {
    StringBuilder sb = new StringBuilder(PREFIX.length() + RANDOM_CHARS).append(PREFIX);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      sb.append(BASE62[RANDOM.nextInt(BASE62.length)]);
    }
    return sb.toString();
  }

  /** Lower-case hex SHA-256 of the key's UTF-8 bytes: the only form of a key Redis ever holds. */
  public static String sha256Hex(String rawKey) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(rawKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /**
   * The first characters of a key, safe to show (e.g. {@code tg-AbC12}); never enough to use it: at
   * most 8, and at most a quarter of the key, so a short imported key (16 characters allowed) shows 4.
   */
  public static String displayPrefix(String rawKey) {
    return rawKey.substring(0, Math.min(8, rawKey.length() / 4));
  }
}
