package dev.tollgate.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/resources.md} is generated from the CRDs' field descriptions and rules, and must be
 * up to date. Run with {@code -Dtollgate.updateGenerated=true} to rewrite it.
 */
class ResourceReferenceTest {

  private static final String REASONS = """
      ## Conditions and reasons

      Every object reports `status.observedGeneration` and `status.conditions`. `Ready` is always
      present; kinds that reference other objects (all four) also report `ResolvedRefs`. A condition's
      `lastTransitionTime` moves only when its `status` changes. Problems also produce a Warning Event
      (`kubectl describe`), once per change of reason or message. When a reference is missing or a spec
      is invalid nothing is written to Redis (what was written before stays until the object is fixed
      or deleted), except a withdrawal: a Tenant or ApiKey set to `Suspended`, or an ApiKey given an
      `expiresAt`, is suspended or ends in Redis at once whatever else is wrong with it. The object
      converges by itself when the referenced object appears.

      | reason | condition | meaning |
      |---|---|---|
      | `Projected` | Ready=True | written to Redis and in force |
      | `Suspended` | Ready=False | Tenant or ApiKey suspended on purpose (written to Redis; requests are refused) |
      | `Expired` | Ready=False | the ApiKey's `expiresAt` has passed |
      | `TenantSuspended` | Ready=False | the ApiKey's tenant is suspended |
      | `TenantNotFound` | Ready=False, ResolvedRefs=False | `tenantRef` names no Tenant in the namespace |
      | `RoutePolicyNotFound` | Ready=False, ResolvedRefs=False | `routePolicyRef` names no RoutePolicy |
      | `ApiKeyNotFound` | Ready=False, ResolvedRefs=False | a SpendCap's `apiKeyRef` names no ApiKey |
      | `SecretNotFound` | Ready=False, ResolvedRefs=False | a referenced Secret or key inside it is missing; an ApiKey whose `importFrom` Secret (or its key) is gone ends in Redis at once, and the Secret restored with the same value restores it |
      | `SecretConflict` | Ready=False | the ApiKey's `secretName` is taken by a Secret it does not own |
      | `KeyConflict` | Ready=False | the ApiKey's key value (imported, or its Secret edited by hand) is already another ApiKey's, in any namespace; the first claim keeps it |
      | `InvalidSpec` | Ready=False | the spec breaks a rule the CRD cannot check (e.g. a key's models wider than its tenant's, a cap in another currency) |
      | `CredentialsKeyMissing` | Ready=False | a RoutePolicy references credentials but the operator has no (valid) `TOLLGATE_CREDENTIALS_KEY` |
      | `RedisUnavailable` | Ready=False | Redis did not answer; the operator retries with backoff (up to 30 s apart) |
      | `ReconcileError` | Ready=False | any other error (message says which); retried with backoff |
      """;

  @Test
  void resourceReferenceIsUpToDate() throws IOException {
    String generated = generate();
    Path doc = GeneratedCrds.repoRoot().resolve("docs/resources.md");
    if (Boolean.getBoolean("tollgate.updateGenerated")) {
      Files.createDirectories(doc.getParent());
      Files.writeString(doc, generated);
    }
    assertThat(doc).as("docs/resources.md missing: run with -Dtollgate.updateGenerated=true").exists();
    assertThat(Files.readString(doc)).as("docs/resources.md is stale: run ./mvnw -pl operator -am verify -Dtollgate.updateGenerated=true")
        .isEqualTo(generated);
  }

  @SuppressWarnings("unchecked")
  static String generate() {
    StringBuilder md = new StringBuilder("""
        # Resource reference

        <!-- Generated from the CRDs by ResourceReferenceTest; edit the Java field descriptions, not this file. -->

        Group `tollgate.dev`, version `v1alpha1`, all namespaced; `kubectl get tollgate` lists them all.
        References (`...Ref`) name objects in the same namespace. Amounts are decimal strings in the
        tenant's currency (at most 6 decimals, stored as integer micro-units); durations are a number
        with one unit (`ms`, `s`, `m`, `h`, `d`).

        """);
    GeneratedCrds.byKind().forEach((kind, crd) -> {
      Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
      Map<String, Object> names = (Map<String, Object>) spec.get("names");
      md.append("## ").append(kind).append("\n\n");
      md.append("Short names: ").append(String.join(", ", ((List<String>) names.get("shortNames")).stream().map(s -> "`" + s + "`").toList()))
          .append(". Plural: `").append(names.get("plural")).append("`.\n\n");
      Map<String, Object> props = (Map<String, Object>) GeneratedCrds.schema(crd).get("properties");
      for (String part : List.of("spec", "status")) {
        md.append("### ").append(part).append("\n\n| field | type | default | description |\n|---|---|---|---|\n");
        fields(md, "", (Map<String, Object>) props.get(part));
        md.append('\n');
        rules(md, part, (Map<String, Object>) props.get(part));
      }
    });
    return md.append(REASONS).toString();
  }

  @SuppressWarnings("unchecked")
  private static void fields(StringBuilder md, String prefix, Map<String, Object> schema) {
    Map<String, Object> props = (Map<String, Object>) schema.get("properties");
    if (props == null) {
      return;
    }
    props.keySet().stream().sorted().forEach(name -> {
      Map<String, Object> p = (Map<String, Object>) props.get(name);
      String path = prefix + name;
      String type = (String) p.get("type");
      Map<String, Object> items = (Map<String, Object>) p.get("items");
      if ("array".equals(type) && items != null) {
        type = "[]" + items.get("type");
      }
      if (p.get("enum") != null) {
        type = type + " (" + String.join(" \\| ", ((List<Object>) p.get("enum")).stream().map(String::valueOf).toList()) + ")";
      } else if (items != null && items.get("enum") != null) {
        type = type + " (" + String.join(" \\| ", ((List<Object>) items.get("enum")).stream().map(String::valueOf).toList()) + ")";
      }
      String required = ((List<String>) schema.getOrDefault("required", List.of())).contains(name) ? " **required**" : "";
      Object def = p.get("default");
      md.append("| `").append(path).append("`").append(required).append(" | ").append(type).append(" | ")
          .append(def == null ? "" : "`" + def + "`").append(" | ")
          .append(String.valueOf(p.getOrDefault("description", "")).replace("|", "\\|").replace("\n", " ")).append(" |\n");
      fields(md, path + ".", p);
      if (items != null) {
        fields(md, path + "[].", items);
      }
    });
  }

  @SuppressWarnings("unchecked")
  private static void rules(StringBuilder md, String path, Map<String, Object> schema) {
    StringBuilder found = new StringBuilder();
    collectRules(found, path, schema);
    if (!found.isEmpty()) {
      md.append("Rules checked by the API server:\n\n").append(found).append('\n');
    }
  }

  @SuppressWarnings("unchecked")
  private static void collectRules(StringBuilder out, String path, Map<String, Object> schema) {
    if (schema.get("x-kubernetes-validations") instanceof List<?> rules) {
      for (Object r : rules) {
        out.append("- `").append(path).append("`: ").append(((Map<String, Object>) r).get("message")).append('\n');
      }
    }
    if (schema.get("properties") instanceof Map<?, ?> props) {
      ((Map<String, Object>) props).entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> collectRules(out, path + "." + e.getKey(), (Map<String, Object>) e.getValue()));
    }
    if (schema.get("items") instanceof Map<?, ?> items) {
      collectRules(out, path + "[]", (Map<String, Object>) items);
    }
  }
}
