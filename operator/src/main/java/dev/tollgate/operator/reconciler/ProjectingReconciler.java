package dev.tollgate.operator.reconciler;

import dev.tollgate.operator.api.v1alpha1.Condition;
import dev.tollgate.operator.api.v1alpha1.TollgateStatus;
import dev.tollgate.operator.projection.Problem;
import dev.tollgate.operator.projection.ProblemException;
import dev.tollgate.operator.redis.ConfigWriter;
import dev.tollgate.operator.redis.RedisClients;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * What the four reconcilers share, so each of them only resolves references and writes its
 * projection: status conditions, Warning Events on problems, the resync deadline, and Redis
 * outages (Ready=False RedisUnavailable, then JOSDK's retry with backoff).
 */
abstract class ProjectingReconciler<P extends CustomResource<?, S>, S extends TollgateStatus>
    implements Reconciler<P>, Cleaner<P> {

  static final String REDIS_UNAVAILABLE = "RedisUnavailable";
  static final String RECONCILE_ERROR = "ReconcileError";

  private static final Logger LOG = LoggerFactory.getLogger(ProjectingReconciler.class);

  protected final ConfigWriter writer;
  protected final Clock clock;
  private final Duration resync;
  final EventRecorder events;

  ProjectingReconciler(ConfigWriter writer, Duration resync, Clock clock) {
    this.writer = writer;
    this.resync = resync;
    this.clock = clock;
    this.events = new EventRecorder(clock);
  }

  /** Resolves references and writes the projection; throws ProblemException to report not ready. */
  protected abstract Outcome sync(P resource, S status, Context<P> context);

  /**
   * Called when a problem keeps the projection from being written: applies to what is already in
   * Redis only what the spec withdraws (a suspension, an expiry), never anything that widens access.
   * Suspending or expiring an object is how a platform team takes it out of service, and an unrelated
   * problem (a typo, a missing reference) must not keep the old, usable record in force. {@code
   * problem} is what blocks it: a missing credential can itself be a withdrawal.
   */
  protected void withdrawWhileBlocked(P resource, S status, Problem problem) {}

  /** True for kinds whose objects reference other objects (they report ResolvedRefs). */
  protected abstract boolean hasReferences();

  protected abstract S newStatus();

  @Override
  public UpdateControl<P> reconcile(P resource, Context<P> context) {
    if (resource.getStatus() == null) {
      resource.setStatus(newStatus());
    }
    S status = resource.getStatus();
    String before = Serialization.asJson(status);
    long generation = generation(resource);
    Instant now = clock.instant();
    Duration next = resync;
    try {
      Outcome outcome = sync(resource, status, context);
      if (hasReferences()) {
        Conditions.set(status, Condition.RESOLVED_REFS, true, "Resolved", "every referenced object exists", generation, now);
      }
      Conditions.set(status, Condition.READY, outcome.ready(), outcome.reason(), outcome.message(), generation, now);
      if (outcome.requeueAfter() != null && outcome.requeueAfter().compareTo(next) < 0) {
        next = outcome.requeueAfter().isNegative() ? Duration.ZERO : outcome.requeueAfter();
      }
    } catch (ProblemException e) {
      Problem p = e.problem();
      withdrawWhileBlocked(resource, status, p);
      if (hasReferences()) {
        boolean resolved = !p.isMissingReference();
        Conditions.set(status, Condition.RESOLVED_REFS, resolved, resolved ? "Resolved" : p.reason(),
            resolved ? "every referenced object exists" : p.message(), generation, now);
      }
      if (Conditions.set(status, Condition.READY, false, p.reason(), p.message(), generation, now)) {
        LOG.info("{} {}/{} not ready: {}", resource.getKind(), namespace(resource), resource.getMetadata().getName(), e.getMessage());
        events.warning(context.getClient(), resource, p.reason(), p.message());
      }
    }
    status.setObservedGeneration(generation);
    UpdateControl<P> control = before.equals(Serialization.asJson(status))
        ? UpdateControl.noUpdate() : UpdateControl.patchStatus(resource);
    return control.rescheduleAfter(next);
  }

  @Override
  public ErrorStatusUpdateControl<P> updateErrorStatus(P resource, Context<P> context, Exception e) {
    if (resource.getStatus() == null) {
      resource.setStatus(newStatus());
    }
    boolean redis = isRedisFailure(e);
    String reason = redis ? REDIS_UNAVAILABLE : RECONCILE_ERROR;
    String cause = RedisClients.rootMessage(e);
    String message = redis ? "Redis is unreachable, retrying with backoff: " + cause : cause;
    if (Conditions.set(resource.getStatus(), Condition.READY, false, reason, message, generation(resource), clock.instant())) {
      LOG.warn("{} {}/{}: {}", resource.getKind(), namespace(resource), resource.getMetadata().getName(), message);
      events.warning(context.getClient(), resource, reason, message);
    }
    return ErrorStatusUpdateControl.patchStatus(resource);
  }

  static boolean isRedisFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JedisException) {
        return true;
      }
    }
    return false;
  }

  static long generation(CustomResource<?, ?> r) {
    Long g = r.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  static String namespace(CustomResource<?, ?> r) {
    return r.getMetadata().getNamespace();
  }
}
