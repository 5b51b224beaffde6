package dev.tollgate.operator.reconciler;

import dev.tollgate.operator.api.v1alpha1.SecretKeyRef;
import dev.tollgate.operator.projection.Problem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

/**
 * Same-namespace references between our objects: lookups that turn a missing object into a
 * {@link Problem}, and the event sources that wake dependants when a referenced object appears,
 * changes or goes away (so they converge without an edit).
 */
final class References {

  private References() {}

  /**
   * The referenced object from the cache of the informer {@link #watch} registered for its type, or a
   * ProblemException with {@code reason} when it does not exist. No API call: the informer's event is
   * what wakes a dependant, and the cache already holds the object when the event arrives.
   */
  @SuppressWarnings("unchecked")
  static <T extends HasMetadata, P extends HasMetadata> T require(Context<P> context, Class<T> type, String namespace, String name,
      String reason) {
    var source = (InformerEventSource<T, P>) context.eventSourceRetriever().getEventSourceFor(type, sourceName(type));
    T found = source.get(new ResourceID(name, namespace)).orElse(null);
    if (found == null) {
      throw new Problem(reason, type.getSimpleName() + " " + name + " not found in namespace " + namespace).exception();
    }
    return found;
  }

  /** The decoded value of one Secret key, or a SecretNotFound problem. */
  static <P extends HasMetadata> String secretValue(Context<P> context, String namespace, SecretKeyRef ref) {
    Secret secret = require(context, Secret.class, namespace, ref.getName(), Problem.SECRET_NOT_FOUND);
    String value = value(secret, ref.getKey());
    if (value == null || value.isBlank()) {
      throw new Problem(Problem.SECRET_NOT_FOUND, "Secret " + ref.getName() + " has no key " + ref.getKey()).exception();
    }
    return value.trim();
  }

  /** A Secret's value under {@code key} from data (base64) or stringData (as written by a manifest); null if absent. */
  static String value(Secret secret, String key) {
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null) {
      return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
    }
    Map<String, String> stringData = secret.getStringData();
    return stringData == null ? null : stringData.get(key);
  }

  /**
   * An informer on {@code type} that maps each change to the primaries of the same namespace that
   * refer to it by name (scanning the primary cache: references are few per namespace).
   */
  static <S extends HasMetadata, P extends HasMetadata> InformerEventSource<S, P> watch(
      Class<S> type, EventSourceContext<P> context, BiPredicate<P, String> refersTo) {
    var config = InformerEventSourceConfiguration.from(type, context.getPrimaryResourceClass())
        .withName(sourceName(type))
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper((S s) -> context.getPrimaryCache()
            .list(s.getMetadata().getNamespace())
            .filter(p -> refersTo.test(p, s.getMetadata().getName()))
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet()))
        .build();
    return new InformerEventSource<>(config, context);
  }

  private static String sourceName(Class<?> type) {
    return type.getSimpleName().toLowerCase(Locale.ROOT) + "-refs";
  }
}
