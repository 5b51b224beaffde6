package dev.tollgate.schema;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * Exact money: integer micro-units (1/1,000,000 of a currency unit). Never floating point.
 *
 * <p>YAML carries decimal strings ({@code "250.00"}); Redis and every computation carry {@code long}
 * micros. Costs round <em>up</em> to the next micro so that a sum of charges never undercounts.
 */
public final class Money {

  /** Micro-units per currency unit. */
  public static final long MICROS = 1_000_000L;

  /** A non-negative decimal with at most 6 fractional digits and 12 integer digits. */
  public static final Pattern DECIMAL = Pattern.compile("^[0-9]{1,12}(\\.[0-9]{1,6})?$");

  private Money() {}

  /** Parses {@code "250.00"} into 250000000. Throws on anything that is not {@link #DECIMAL}. */
  public static long parseMicros(String decimal) {
    if (decimal == null || !DECIMAL.matcher(decimal).matches()) {
      throw new IllegalArgumentException(
          "amount must be a decimal like \"250.00\" with at most 6 decimals, got '" + decimal + "'");
    }
    return new BigDecimal(decimal).movePointRight(6).longValueExact();
  }

  /** Formats micros as a plain decimal with at least two fractional digits: 1500000 → "1.50". */
  public static String format(long micros) {
    BigDecimal value = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    if (value.scale() < 2) {
      value = value.setScale(2, RoundingMode.UNNECESSARY);
    }
    return value.toPlainString();
  }

  /**
   * Cost of {@code tokens} at {@code microsPerMillionTokens}, rounded up to a whole micro-unit.
   * Exact for any realistic values (overflow-checked).
   */
  public static long costMicros(long tokens, long microsPerMillionTokens) {
    if (tokens <= 0 || microsPerMillionTokens <= 0) {
      return 0;
    }
    return ceilDiv(Math.multiplyExact(tokens, microsPerMillionTokens), 1_000_000L);
  }

  /**
   * Cost of token counts each at its own price per million (a prompt's uncached, cached and
   * cache-write parts), summed exactly and rounded up once to a whole micro-unit: splitting tokens
   * between equal prices never changes the cost, and the sum never undercounts.
   */
  public static long costMicros(long[] tokens, long[] microsPerMillionTokens) {
    if (tokens.length != microsPerMillionTokens.length) {
      throw new IllegalArgumentException("one price per token count");
    }
    long millionths = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] > 0 && microsPerMillionTokens[i] > 0) {
        millionths = Math.addExact(millionths, Math.multiplyExact(tokens[i], microsPerMillionTokens[i]));
      }
    }
    return ceilDiv(millionths, 1_000_000L);
  }

  /** {@code amount * ppm / 1e6}, rounded up; ppm = parts per million (a 20% markup is 200000). */
  public static long applyPpm(long amountMicros, long ppm) {
    if (amountMicros <= 0 || ppm <= 0) {
      return 0;
    }
    return ceilDiv(Math.multiplyExact(amountMicros, ppm), 1_000_000L);
  }

  /** Parses a percentage such as {@code "20"} or {@code "12.5"} into parts per million (125000). */
  public static long percentToPpm(String percent) {
    if (percent == null || !Pattern.matches("^[0-9]{1,4}(\\.[0-9]{1,4})?$", percent)) {
      throw new IllegalArgumentException(
          "percentage must be a decimal like \"20\" or \"12.5\", got '" + percent + "'");
    }
    return new BigDecimal(percent).movePointRight(4).longValueExact();
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
