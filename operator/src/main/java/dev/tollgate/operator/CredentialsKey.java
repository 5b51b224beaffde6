package dev.tollgate.operator;

import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.CredentialSealer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;

/**
 * The key provider credentials are sealed with: {@code TOLLGATE_CREDENTIALS_KEY} (base64 of 32 bytes)
 * or {@code TOLLGATE_CREDENTIALS_KEY_FILE}, re-read when the file changes (a rotated Kubernetes
 * Secret). Absent: policies that reference credentials are reported CredentialsKeyMissing.
 */
public final class CredentialsKey {

  /** A usable sealer and a short fingerprint of its key (part of every route plan's version). */
  public record Current(CredentialSealer sealer, String fingerprint) {}

  private final String inline;
  private final Path file;
  private FileTime loadedAt;
  private Current current;

  private CredentialsKey(String inline, Path file) {
    this.inline = inline;
    this.file = file;
  }

  public static CredentialsKey fromEnv(Map<String, String> env) {
    String inline = env.get("TOLLGATE_CREDENTIALS_KEY");
    String file = env.get("TOLLGATE_CREDENTIALS_KEY_FILE");
    return new CredentialsKey(
        inline == null || inline.isBlank() ? null : inline.trim(),
        file == null || file.isBlank() ? null : Path.of(file.trim()));
  }

  public static CredentialsKey of(String base64Key) {
    return new CredentialsKey(base64Key, null);
  }

  public static CredentialsKey none() {
    return new CredentialsKey(null, null);
  }

  /** The key in force now; throws IllegalArgumentException when the configured key is malformed. */
  public synchronized Optional<Current> current() {
    if (inline != null) {
      if (current == null) {
        current = load(inline, "TOLLGATE_CREDENTIALS_KEY");
      }
      return Optional.of(current);
    }
    if (file == null) {
      return Optional.empty();
    }
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      if (current == null || !modified.equals(loadedAt)) {
        current = load(Files.readString(file, StandardCharsets.UTF_8), "TOLLGATE_CREDENTIALS_KEY_FILE (" + file + ")");
        loadedAt = modified;
      }
      return Optional.of(current);
    } catch (IOException e) {
      throw new IllegalArgumentException("TOLLGATE_CREDENTIALS_KEY_FILE cannot be read: " + e.getMessage());
    }
  }

  private static Current load(String base64, String source) {
    CredentialSealer sealer;
    try {
      sealer = CredentialSealer.fromBase64(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage()
          + "; generate one with: head -c 32 /dev/urandom | base64");
    }
    return new Current(sealer, ApiKeys.sha256Hex("tollgate-credentials-key:" + base64.trim()).substring(0, 12));
  }
}
