package dev.tollgate.operator.reconciler;

import java.time.Duration;

/**
 * The result of a successful projection: the Ready condition to report and, when a deadline is near
 * (a rotation overlap or an expiry), how soon to look again.
 */
record Outcome(boolean ready, String reason, String message, Duration requeueAfter) {

  static Outcome ready(String message) {
    return new Outcome(true, "Projected", message, null);
  }

  /** Written to Redis, but deliberately not usable (suspended, expired): no Warning Event. */
  static Outcome inactive(String reason, String message) {
    return new Outcome(false, reason, message, null);
  }

  Outcome requeueAfter(Duration d) {
    if (d == null) {
      return this;
    }
    Duration next = requeueAfter == null || d.compareTo(requeueAfter) < 0 ? d : requeueAfter;
    return new Outcome(ready, reason, message, next);
  }
}
