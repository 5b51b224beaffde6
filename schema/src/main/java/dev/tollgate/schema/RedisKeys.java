package dev.tollgate.schema;

/**
 * The only place that builds Redis key strings (schema version 1).
 *
 * <p>Why hash tags: in Redis Cluster a Lua script may only touch keys of one slot. Every key that
 * belongs to a tenant embeds {@link TenantId#hashTag()} ({@code {t:<ns>/<name>}}), so the admission
 * script (rate limits + spend reservation) and the settle script run atomically on one node. The
 * only lookups without a tenant tag are the API-key index (the tenant is unknown until the key is
 * read) and route policies, which are namespaced objects shared by many tenants and only ever read
 * with single-key commands.
 *
 * <p>Ownership: the operator writes config keys ({@link #apiKey}, {@link #tenant}, {@link #caps},
 * {@link #routePolicy}); the gateway writes counter keys (everything else). Neither writes the
 * other's. {@code docs/redis-schema.md} documents the table; {@code RedisKeysTest} pins every format.
 */
public final class RedisKeys {

  /** Version prefix. An incompatible change moves to {@code tg:v2:} and needs an ADR. */
  public static final String PREFIX = "tg:v1:";

  /** Pub/sub channel the operator publishes a {@link ConfigChange} on after every config write. */
  public static final String CONFIG_CHANNEL = PREFIX + "config";

  private RedisKeys() {}

  // ---- config keys: written by the operator -------------------------------------------------

  /** STRING, JSON {@link ApiKeyRecord}. {@code sha256Hex} is the lower-case SHA-256 of the raw key. */
  public static String apiKey(String sha256Hex) {
    if (sha256Hex == null || !sha256Hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("api key index needs a lower-case hex SHA-256");
    }
    return PREFIX + "apikey:" + sha256Hex;
  }

  /** STRING, JSON {@link TenantRecord}. */
  public static String tenant(TenantId tenant) {
    return tenantPrefix(tenant) + "tenant";
  }

  /** HASH, field = SpendCap name, value = JSON {@link CapDefinition}. */
  public static String caps(TenantId tenant) {
    return tenantPrefix(tenant) + "caps";
  }

  /** STRING, JSON {@link RoutePlan}. Shared by every tenant of the namespace that references it. */
  public static String routePolicy(String namespace, String name) {
    return PREFIX + "policy:" + namespace + "/" + name;
  }

  // ---- counter keys: written by the gateway -------------------------------------------------

  /**
   * STRING counter of one fixed one-minute window.
   *
   * @param scope {@code k} (an ApiKey, subject = its name) or {@code t} (the tenant, subject = "-")
   * @param metric {@code req} (requests) or {@code tok} (tokens)
   * @param windowStartEpochMinute epoch milliseconds / 60000 of the window's start
   */
  public static String rateWindow(
      TenantId tenant, String scope, String subject, String metric, long windowStartEpochMinute) {
    return tenantPrefix(tenant) + "rl:" + scope + ":" + subject + ":" + metric + ":" + windowStartEpochMinute;
  }

  /**
   * HASH {@code spent}, {@code reserved} (micro-units) of one cap limit in one period.
   *
   * @param periodKey {@link Period#key} of the period, e.g. {@code D20261123}, {@code W2026-48},
   *     {@code M202611} or {@code T} (Total: never expires)
   */
  public static String spend(TenantId tenant, String capName, String periodKey) {
    return tenantPrefix(tenant) + "spend:" + capName + ":" + periodKey;
  }

  /** HASH, field = reservation id, value = JSON of the reservation (amount, counter keys). */
  public static String reservations(TenantId tenant) {
    return tenantPrefix(tenant) + "resv";
  }

  /** ZSET, member = reservation id, score = epoch ms at which the reservation's lease ends. */
  public static String reservationLeases(TenantId tenant) {
    return tenantPrefix(tenant) + "resvexp";
  }

  /** STREAM of usage records, one per settled request. */
  public static String usage(TenantId tenant) {
    return tenantPrefix(tenant) + "usage";
  }

  /**
   * HASH of per-month totals: {@code requests}, {@code tokensIn}, {@code tokensOut}, {@code
   * costMicros} (provider cost), {@code billedMicros} (usage billed to the tenant). Fields
   * prefixed {@code k:<apiKey>:} hold the same per key. Read by the operator for status.
   */
  public static String totals(TenantId tenant, String monthKey) {
    return tenantPrefix(tenant) + "totals:" + monthKey;
  }

  /**
   * STRING, JSON {@code {"policy","provider","model"}}: where a Responses API answer the provider
   * stored ({@code store}, the default) lives, so that {@code previous_response_id} and {@code
   * /v1/responses/<id>} reach that provider entry only, and only for this tenant (ADR 0050). Under
   * the tenant's hash tag: another tenant's lookup builds another key and finds nothing. Never holds
   * a prompt or an answer. {@code responseId} is the provider's id: letters, digits, '_' and '-'.
   */
  public static String storedResponse(TenantId tenant, String responseId) {
    if (responseId == null || !responseId.matches("[A-Za-z0-9_-]{1,200}")) {
      throw new IllegalArgumentException("a response id has 1-200 letters, digits, '_' or '-'");
    }
    return tenantPrefix(tenant) + "resp:" + responseId;
  }

  /** The common prefix of every key of one tenant, ending in ':'. */
  public static String tenantPrefix(TenantId tenant) {
    return PREFIX + tenant.hashTag() + ":";
  }
}
