package dev.tollgate.operator.projection;

import dev.tollgate.operator.api.v1alpha1.Formats;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.TenantId;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** Checks shared by the projections. They repeat the CRD's rules because local mode has no API server to enforce them. */
final class Specs {

  private Specs() {}

  static <T> T require(T spec) {
    if (spec == null) {
      throw Problem.invalid("spec is required");
    }
    return spec;
  }

  static TenantId tenantId(String namespace, String name) {
    try {
      return new TenantId(namespace, name);
    } catch (IllegalArgumentException e) {
      throw Problem.invalid(e.getMessage());
    }
  }

  static long generation(HasMetadata resource) {
    Long g = resource.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  static void checkModels(List<String> models) {
    for (String m : models) {
      if (m == null || !m.matches(Formats.MODEL)) {
        throw Problem.invalid("allowedModels entries must be model names or globs such as gpt-4o or claude-*, got '" + m + "'");
      }
    }
  }

  static long micros(String field, String amount) {
    if (amount != null && amount.strip().startsWith("-")) {
      throw Problem.invalid(field + " must not be negative, got '" + amount + "'");
    }
    try {
      return Money.parseMicros(amount);
    } catch (IllegalArgumentException e) {
      throw Problem.invalid(field + ": " + e.getMessage());
    }
  }
}
