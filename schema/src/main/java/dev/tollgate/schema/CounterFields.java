package dev.tollgate.schema;

import java.util.List;

/**
 * Field names inside the gateway's counter hashes that the operator reads back for status: the
 * spend hash of a cap period ({@link RedisKeys#spend}) and the month totals ({@link
 * RedisKeys#totals}). The Lua scripts write them; {@code LuaContractTest} pins that they do.
 */
public final class CounterFields {

  /** Micro-units charged in the period (settled). */
  public static final String SPENT = "spent";
  /** Micro-units held by open reservations. */
  public static final String RESERVED = "reserved";

  /** Month totals: requests settled. */
  public static final String REQUESTS = "requests";
  /** Month totals: input tokens. */
  public static final String TOKENS_IN = "tokensIn";
  /** Month totals: output tokens. */
  public static final String TOKENS_OUT = "tokensOut";
  /** Month totals: provider cost, micro-units. */
  public static final String COST_MICROS = "costMicros";
  /** Month totals: usage billed to the tenant, micro-units. */
  public static final String BILLED_MICROS = "billedMicros";

  /** Every month-total field. */
  public static final List<String> TOTALS = List.of(REQUESTS, TOKENS_IN, TOKENS_OUT, COST_MICROS, BILLED_MICROS);

  /** The month-totals field holding {@code field} for one API key (metadata name): {@code k:<keyName>:<field>}. */
  public static String perKey(String keyName, String field) {
    return "k:" + keyName + ":" + field;
  }

  private CounterFields() {}
}
