package dev.tollgate.operator.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Posts core/v1 Events about our objects (visible in {@code kubectl describe}). Best effort. */
final class EventRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final Clock clock;

  EventRecorder(Clock clock) {
    this.clock = clock;
  }

  void warning(KubernetesClient client, HasMetadata about, String reason, String message) {
    String now = Conditions.format(Instant.now(clock));
    var meta = about.getMetadata();
    try {
      client.v1().events().inNamespace(meta.getNamespace()).resource(new EventBuilder()
          .withNewMetadata()
          .withName(meta.getName() + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
          .withNamespace(meta.getNamespace())
          .endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder()
              .withApiVersion(about.getApiVersion())
              .withKind(about.getKind())
              .withName(meta.getName())
              .withNamespace(meta.getNamespace())
              .withUid(meta.getUid())
              .withResourceVersion(meta.getResourceVersion())
              .build())
          .withType("Warning")
          .withReason(reason)
          .withMessage(message)
          .withFirstTimestamp(now)
          .withLastTimestamp(now)
          .withCount(1)
          .withNewSource().withComponent("tollgate-operator").endSource()
          .withReportingComponent("tollgate-operator")
          .build()).create();
    } catch (KubernetesClientException e) {
      LOG.debug("could not post event {} for {}/{}: {}", reason, meta.getNamespace(), meta.getName(), e.getMessage());
    }
  }
}
