package dev.tollgate.operator.local;

import dev.tollgate.operator.api.v1alpha1.ApiKey;
import dev.tollgate.operator.api.v1alpha1.Condition;
import dev.tollgate.operator.reconciler.ApiKeyReconciler;
import dev.tollgate.operator.reconciler.Conditions;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Local mode only: prints {@code TOLLGATE_KEY <ns>/<apikey> <key>} once each ApiKey is Ready (again
 * after a rotation), which is how the local launcher shows the demo key. Nothing else ever prints a key.
 */
final class KeyAnnouncer {

  private final KubernetesClient client;
  private final PrintStream out;
  private final Map<String, String> announced = new HashMap<>();

  KeyAnnouncer(KubernetesClient client, PrintStream out) {
    this.client = client;
    this.out = out;
  }

  void announceReadyKeys() {
    for (ApiKey key : client.resources(ApiKey.class).inAnyNamespace().list().getItems()) {
      if (key.getStatus() == null || key.getStatus().getKeyId() == null || !Conditions.isTrue(key.getStatus(), Condition.READY)) {
        continue;
      }
      String id = key.getMetadata().getNamespace() + "/" + key.getMetadata().getName();
      if (key.getStatus().getKeyId().equals(announced.get(id))) {
        continue;
      }
      Secret secret = client.secrets().inNamespace(key.getMetadata().getNamespace()).withName(key.getStatus().getSecretName()).get();
      String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(ApiKeyReconciler.SECRET_KEY);
      if (encoded == null) {
        continue;
      }
      out.println("TOLLGATE_KEY " + id + " " + new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
      out.flush();
      announced.put(id, key.getStatus().getKeyId());
    }
  }
}
