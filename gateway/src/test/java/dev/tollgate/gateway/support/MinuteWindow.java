package dev.tollgate.gateway.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

/**
 * Rate windows are fixed minutes: a test whose requests must all fall into one window waits out the
 * end of the current minute when too little of it is left.
 */
public final class MinuteWindow {

  private MinuteWindow() {}

  /** Returns once at least {@code needed} is left in the current minute. */
  public static void awaitRoom(Duration needed) {
    await().atMost(Duration.ofSeconds(65)).until(() -> 60_000 - System.currentTimeMillis() % 60_000 >= needed.toMillis());
  }
}
