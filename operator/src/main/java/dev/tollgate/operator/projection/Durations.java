package dev.tollgate.operator.projection;

import dev.tollgate.operator.api.v1alpha1.Formats;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the one-unit durations the CRDs accept ({@link Formats#DURATION}): 500ms, 30s, 5m, 24h, 7d. */
public final class Durations {

  private static final Pattern FORMAT = Pattern.compile(Formats.DURATION);

  private Durations() {}

  public static Duration parse(String text) {
    Matcher m = text == null ? null : FORMAT.matcher(text.trim());
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("duration must be a number with one unit (ms, s, m, h, d), e.g. 30s, got '" + text + "'");
    }
    String t = text.trim();
    String unit = m.group(1);
    long n = Long.parseLong(t.substring(0, t.length() - unit.length()));
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
