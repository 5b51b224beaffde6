package dev.tollgate.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server a test class starts once (a JUnit 5 extension, {@code @RegisterExtension static}),
 * or a test starts and stops itself.
 */
public interface ClassScopedServer extends BeforeAllCallback, AfterAllCallback, AutoCloseable {

  /** Starts it; returns once it serves. */
  ClassScopedServer start();

  /** Stops it and removes its files. */
  @Override
  void close();

  @Override
  default void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  default void afterAll(ExtensionContext context) {
    close();
  }
}
