package dev.tollgate.operator;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The CRDs generated at build time (classpath {@code META-INF/fabric8/}), for local mode and tests. */
public final class Crds {

  /** File names written by the crd-generator plugin. */
  public static final List<String> FILES = List.of(
      "tenants.tollgate.dev-v1.yml",
      "apikeys.tollgate.dev-v1.yml",
      "spendcaps.tollgate.dev-v1.yml",
      "routepolicies.tollgate.dev-v1.yml");

  private Crds() {}

  public static List<CustomResourceDefinition> load(KubernetesClient client) {
    List<CustomResourceDefinition> out = new ArrayList<>();
    for (String f : FILES) {
      try (InputStream in = Crds.class.getResourceAsStream("/META-INF/fabric8/" + f)) {
        if (in == null) {
          throw new IllegalStateException("generated CRD " + f + " missing from the classpath (build with Maven)");
        }
        out.add(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Creates (or replaces) the four CRDs, so the API server treats status as a subresource. */
  public static void install(KubernetesClient client) {
    for (CustomResourceDefinition crd : load(client)) {
      client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(o -> o.update());
    }
  }
}
