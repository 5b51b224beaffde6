package dev.tollgate.operator.reconciler;

import dev.tollgate.operator.CredentialsKey;
import dev.tollgate.operator.api.v1alpha1.RoutePolicy;
import dev.tollgate.operator.api.v1alpha1.RoutePolicySpec;
import dev.tollgate.operator.api.v1alpha1.RoutePolicyStatus;
import dev.tollgate.operator.projection.Problem;
import dev.tollgate.operator.projection.RoutePolicyProjection;
import dev.tollgate.operator.redis.ConfigWriter;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Projects a RoutePolicy into its {@link RoutePlan}, credentials sealed; re-seals when a referenced Secret changes. */
public final class RoutePolicyReconciler extends ProjectingReconciler<RoutePolicy, RoutePolicyStatus> {

  private final CredentialsKey credentialsKey;

  public RoutePolicyReconciler(ConfigWriter writer, CredentialsKey credentialsKey, Duration resync, Clock clock) {
    super(writer, resync, clock);
    this.credentialsKey = credentialsKey;
  }

  @Override
  public List<EventSource<?, RoutePolicy>> prepareEventSources(EventSourceContext<RoutePolicy> context) {
    return List.of(References.watch(Secret.class, context, (p, name) -> p.getSpec() != null
        && p.getSpec().getProviders().stream().anyMatch(pr -> pr.getCredentialsRef() != null && name.equals(pr.getCredentialsRef().getName()))));
  }

  @Override
  protected Outcome sync(RoutePolicy policy, RoutePolicyStatus status, Context<RoutePolicy> context) {
    String ns = namespace(policy);
    Map<String, String> credentials = new LinkedHashMap<>();
    if (policy.getSpec() != null) {
      for (RoutePolicySpec.Provider p : policy.getSpec().getProviders()) {
        if (p.getCredentialsRef() != null) {
          credentials.put(p.getName(), References.secretValue(context, ns, p.getCredentialsRef()));
        }
      }
    }
    CredentialsKey.Current key;
    try {
      key = credentialsKey.current().orElse(null);
    } catch (IllegalArgumentException e) {
      throw new Problem(Problem.CREDENTIALS_KEY_MISSING, e.getMessage()).exception();
    }
    RoutePlan plan = RoutePolicyProjection.of(policy, credentials, key == null ? null : key.sealer(), key == null ? "none" : key.fingerprint());
    // Sealing uses a random nonce, so compare versions (a hash of the resolved content), not bytes.
    writer.put(RedisKeys.routePolicy(ns, policy.getMetadata().getName()), ConfigCodec.toJson(plan), stored -> {
      try {
        RoutePlan current = ConfigCodec.fromJson(stored, RoutePlan.class);
        return plan.version().equals(current.version()) && plan.generation() == current.generation();
      } catch (IllegalArgumentException unreadable) {
        return false;
      }
    }, new ConfigChange(ConfigChange.ROUTE_POLICY, plan.policy()));
    status.setVersion(plan.version());
    return Outcome.ready("route plan " + plan.version() + " written to Redis");
  }

  @Override
  public DeleteControl cleanup(RoutePolicy policy, Context<RoutePolicy> context) {
    String ns = namespace(policy);
    writer.delete(RedisKeys.routePolicy(ns, policy.getMetadata().getName()),
        new ConfigChange(ConfigChange.ROUTE_POLICY, ns + "/" + policy.getMetadata().getName()));
    return DeleteControl.defaultDelete();
  }

  @Override
  protected boolean hasReferences() {
    return true;
  }

  @Override
  protected RoutePolicyStatus newStatus() {
    return new RoutePolicyStatus();
  }
}
