package dev.tollgate.gateway.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a metric label's cardinality bounded: the first {@code max} distinct values are used as they
 * are, every later one becomes {@code other}. Thousands of tenants must not become thousands of
 * time series per metric.
 */
public final class BoundedLabel {

  public static final String OTHER = "other";

  private final int max;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  public BoundedLabel(int max) {
    this.max = max;
  }

  public String of(String value) {
    if (value == null || value.isEmpty()) {
      return "none";
    }
    if (seen.contains(value)) {
      return value;
    }
    if (seen.size() >= max) {
      return OTHER;
    }
    seen.add(value);
    return value;
  }
}
