import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.CapDefinition;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.CredentialSealer;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.TenantRecord;
import java.util.List;
import java.util.Map;

/**
 * Prints the benchmark tenant's projection as redis-cli commands (one per line), built with the
 * schema's own records and codec, exactly as the operator would write it. Run with the gateway jar
 * on the classpath: {@code java -cp tollgate-gateway.jar BenchSeed.java <providerBaseUrl> <credKey> <rawKey> [two-target]}.
 * Every governance step is on: key and tenant RPM + TPM limits, key and tenant caps (day + month).
 */
public class BenchSeed {
  public static void main(String[] a) {
    String baseUrl = a[0];
    CredentialSealer sealer = CredentialSealer.fromBase64(a[1]);
    String rawKey = a[2];
    TenantId t = new TenantId("bench", "acme");
    long big = 1_000_000_000L;
    TenantRecord tenant = new TenantRecord(t.id(), "Bench", TenantRecord.ACTIVE, List.of("gpt-*"), "default",
        big, big, new Pricing(Pricing.PERCENTAGE_MARKUP, "USD", 200_000, 0), 1);
    ApiKeyRecord key = new ApiKeyRecord(t.id(), "load", ApiKeyRecord.ACTIVE, 0, List.of("gpt-4o-mini"), big, big, null, 1);
    // ROUTE=two-target (a fourth argument): the primary serves every request, a pricier secondary
    // (another provider entry) waits as fallback, so the reservation is at the secondary's price
    boolean twoTargets = a.length > 3 && "two-target".equals(a[3]);
    RoutePlan.Target primary = new RoutePlan.Target("fake", "gpt-4o-mini", 0, 1, 150_000, 600_000, 128_000);
    RoutePlan.Target secondary = new RoutePlan.Target("fallback", "gpt-4o", 1, 1, 2_500_000, 10_000_000, 128_000);
    Map<String, RoutePlan.Provider> providers = new java.util.LinkedHashMap<>();
    providers.put("fake", new RoutePlan.Provider("openai-compatible", baseUrl, null, sealer.seal("sk-bench", "bench/default"), Map.of()));
    if (twoTargets) {
      providers.put("fallback", new RoutePlan.Provider("openai-compatible", baseUrl, null, sealer.seal("sk-fallback", "bench/default"), Map.of()));
    }
    RoutePlan plan = new RoutePlan("bench/default", 1, "bench-1", providers,
        List.of(new RoutePlan.Route("gpt-4o-mini", twoTargets ? List.of(primary, secondary) : List.of(primary), List.of())),
        null, null);
    CapDefinition tenantCap = new CapDefinition("tenant-budget", CapDefinition.SCOPE_TENANT, null, CapDefinition.REJECT, "USD",
        List.of(new CapDefinition.Limit(Period.Day, big * 1000), new CapDefinition.Limit(Period.Month, big * 10_000)), List.of(80), 1);
    CapDefinition keyCap = new CapDefinition("key-budget", CapDefinition.SCOPE_API_KEY, "load", CapDefinition.REJECT, "USD",
        List.of(new CapDefinition.Limit(Period.Day, big * 1000)), List.of(), 1);
    System.out.println("SET " + q(RedisKeys.tenant(t)) + " " + q(ConfigCodec.toJson(tenant)));
    System.out.println("SET " + q(RedisKeys.apiKey(ApiKeys.sha256Hex(rawKey))) + " " + q(ConfigCodec.toJson(key)));
    System.out.println("SET " + q(RedisKeys.routePolicy("bench", "default")) + " " + q(ConfigCodec.toJson(plan)));
    System.out.println("HSET " + q(RedisKeys.caps(t)) + " tenant-budget " + q(ConfigCodec.toJson(tenantCap))
        + " key-budget " + q(ConfigCodec.toJson(keyCap)));
  }

  private static String q(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
