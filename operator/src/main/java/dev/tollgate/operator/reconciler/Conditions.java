package dev.tollgate.operator.reconciler;

import dev.tollgate.operator.api.v1alpha1.Condition;
import dev.tollgate.operator.api.v1alpha1.TollgateStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/** Sets conditions the Kubernetes way: lastTransitionTime moves only when status flips. */
public final class Conditions {

  private Conditions() {}

  public static Optional<Condition> get(TollgateStatus status, String type) {
    if (status == null) {
      return Optional.empty();
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** True if the change altered type's status, reason or message. */
  public static boolean set(TollgateStatus status, String type, boolean ok, String reason, String message, long generation, Instant now) {
    String s = ok ? "True" : "False";
    Optional<Condition> existing = get(status, type);
    if (existing.isEmpty()) {
      status.getConditions().add(new Condition(type, s, reason, message, format(now), generation));
      return true;
    }
    Condition c = existing.get();
    boolean changed = !s.equals(c.getStatus()) || !Objects.equals(reason, c.getReason()) || !Objects.equals(message, c.getMessage());
    if (!s.equals(c.getStatus()) || c.getLastTransitionTime() == null) {
      c.setLastTransitionTime(format(now));
    }
    c.setStatus(s);
    c.setReason(reason);
    c.setMessage(message);
    c.setObservedGeneration(generation);
    return changed;
  }

  public static boolean isTrue(TollgateStatus status, String type) {
    return get(status, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  static String format(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
