package dev.tollgate.schema;

import java.util.Objects;

/**
 * Identity of a tenant: the Kubernetes namespace and name of its {@code Tenant} object.
 *
 * <p>{@link #id()} ({@code <namespace>/<name>}) is what records store; {@link #hashTag()} is the Redis
 * Cluster hash tag that every per-tenant key carries so one Lua script can touch all of them.
 */
public record TenantId(String namespace, String name) {

  public TenantId {
    requireSegment(namespace, "namespace");
    requireSegment(name, "name");
  }

  /** Parses {@code <namespace>/<name>}. */
  public static TenantId parse(String id) {
    Objects.requireNonNull(id, "tenant id");
    int slash = id.indexOf('/');
    if (slash <= 0 || slash != id.lastIndexOf('/') || slash == id.length() - 1) {
      throw new IllegalArgumentException("tenant id must be <namespace>/<name>, got '" + id + "'");
    }
    return new TenantId(id.substring(0, slash), id.substring(slash + 1));
  }

  /** {@code <namespace>/<name>}. */
  public String id() {
    return namespace + "/" + name;
  }

  /** {@code {t:<namespace>/<name>}}: every key of this tenant hashes to the same cluster slot. */
  public String hashTag() {
    return "{t:" + id() + "}";
  }

  @Override
  public String toString() {
    return id();
  }

  private static void requireSegment(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("tenant " + what + " must not be empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      // Kubernetes names: lower-case alphanumerics, '-' and '.'; braces or ':' would break key parsing.
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
        throw new IllegalArgumentException("tenant " + what + " '" + value + "' is not a Kubernetes name");
      }
    }
  }
}
