package dev.tollgate.gateway.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.schema.CredentialSealer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;

/**
 * Opens the sealed provider credentials of a RoutePlan with the credentials key. The key comes from
 * {@code TOLLGATE_CREDENTIALS_KEY} or from a file that is re-read when it changes (checked at most
 * every few seconds), so a rotated Secret takes effect without a restart. Opened values live only in
 * memory and are never logged.
 */
public final class CredentialKeyring {

  private final String inlineKey;
  private final Path file;
  private final Cache<String, String> opened =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build();
  private volatile CredentialSealer sealer;
  private volatile FileTime fileTime;
  private volatile long nextCheckMs;

  public CredentialKeyring(GatewayConfig config) {
    this.inlineKey = config.credentialsKey();
    this.file = config.credentialsKeyFile() == null ? null : Path.of(config.credentialsKeyFile());
    if (inlineKey != null) {
      sealer = CredentialSealer.fromBase64(inlineKey);
    } else if (file != null) {
      reload(); // fail at start-up on an unreadable or malformed key
    }
  }

  /** The plain credential; throws {@link IllegalStateException} with a safe message if it cannot be opened. */
  public String open(String policyId, String sealed) {
    if (file != null && System.currentTimeMillis() >= nextCheckMs) {
      reload();
    }
    CredentialSealer s = sealer;
    if (s == null) {
      throw new IllegalStateException("no credentials key configured (TOLLGATE_CREDENTIALS_KEY or _FILE)");
    }
    String cacheKey = policyId + "|" + sealed;
    String hit = opened.getIfPresent(cacheKey);
    if (hit != null) {
      return hit;
    }
    try {
      String plain = s.open(sealed, policyId);
      opened.put(cacheKey, plain);
      return plain;
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("provider credential of " + policyId + " does not open with the credentials key");
    }
  }

  private synchronized void reload() {
    nextCheckMs = System.currentTimeMillis() + 5_000;
    try {
      FileTime t = Files.getLastModifiedTime(file);
      if (t.equals(fileTime) && sealer != null) {
        return;
      }
      sealer = CredentialSealer.fromBase64(Files.readString(file).trim());
      fileTime = t;
      opened.invalidateAll();
    } catch (IOException e) {
      if (sealer == null) {
        throw new IllegalStateException("cannot read TOLLGATE_CREDENTIALS_KEY_FILE " + file + ": " + e.getMessage());
      }
      // keep the previous key while a Secret volume is being swapped
    }
  }
}
