package dev.tollgate.operator;

import dev.tollgate.operator.api.v1alpha1.ApiKey;
import dev.tollgate.operator.api.v1alpha1.ApiKeySpec;
import dev.tollgate.operator.api.v1alpha1.Billing;
import dev.tollgate.operator.api.v1alpha1.LocalRef;
import dev.tollgate.operator.api.v1alpha1.RoutePolicy;
import dev.tollgate.operator.api.v1alpha1.RoutePolicySpec;
import dev.tollgate.operator.api.v1alpha1.SecretKeyRef;
import dev.tollgate.operator.api.v1alpha1.SpendCap;
import dev.tollgate.operator.api.v1alpha1.SpendCapSpec;
import dev.tollgate.operator.api.v1alpha1.Tenant;
import dev.tollgate.operator.api.v1alpha1.TenantSpec;
import dev.tollgate.schema.Period;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builders for test objects, as a platform team would write them. */
public final class Fixtures {

  private Fixtures() {}

  public static String namespace() {
    return "t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static ObjectMeta meta(String ns, String name) {
    return new ObjectMetaBuilder().withNamespace(ns).withName(name).build();
  }

  public static Tenant tenant(String ns, String name, String policy) {
    Tenant t = new Tenant();
    t.setMetadata(meta(ns, name));
    TenantSpec spec = new TenantSpec();
    spec.setDisplayName("Client " + name);
    spec.setRoutePolicyRef(new LocalRef(policy));
    spec.setBilling(new Billing(Billing.Plan.PercentageMarkup, "USD", "20", null));
    t.setSpec(spec);
    return t;
  }

  public static RoutePolicy policy(String ns, String name) {
    return policy(ns, name, null);
  }

  /** {@link #policy(String, String)} with these cooldown settings. */
  public static RoutePolicy policyWithCooldown(String ns, String name, int failureThreshold, String baseDuration, String maxDuration) {
    RoutePolicy p = policy(ns, name);
    RoutePolicySpec.Cooldown cooldown = new RoutePolicySpec.Cooldown();
    cooldown.setFailureThreshold(failureThreshold);
    cooldown.setBaseDuration(baseDuration);
    cooldown.setMaxDuration(maxDuration);
    p.getSpec().setCooldown(cooldown);
    return p;
  }

  /** A policy with one OpenAI provider; {@code secret} names its credentials Secret (key apiKey), or null. */
  public static RoutePolicy policy(String ns, String name, String secret) {
    RoutePolicy p = new RoutePolicy();
    p.setMetadata(meta(ns, name));
    RoutePolicySpec spec = new RoutePolicySpec();
    spec.setProviders(List.of(new RoutePolicySpec.Provider("openai", RoutePolicySpec.ProviderType.OPENAI, null,
        secret == null ? null : new SecretKeyRef(secret, "apiKey"))));
    spec.setRoutes(List.of(new RoutePolicySpec.Route("gpt-4o*", List.of(
        new RoutePolicySpec.Target("openai", "gpt-4o-mini", 0, 1, "0.15", "0.60")))));
    p.setSpec(spec);
    return p;
  }

  public static ApiKey apiKey(String ns, String name, String tenant) {
    ApiKey k = new ApiKey();
    k.setMetadata(meta(ns, name));
    ApiKeySpec spec = new ApiKeySpec();
    spec.setTenantRef(new LocalRef(tenant));
    k.setSpec(spec);
    return k;
  }

  public static SpendCap cap(String ns, String name, String tenant, String monthly) {
    SpendCap c = new SpendCap();
    c.setMetadata(meta(ns, name));
    SpendCapSpec spec = new SpendCapSpec();
    spec.setTenantRef(new LocalRef(tenant));
    spec.setLimits(List.of(new SpendCapSpec.Limit(Period.Month, monthly)));
    c.setSpec(spec);
    return c;
  }

  public static Secret secret(String ns, String name, String key, String value) {
    return new SecretBuilder().withMetadata(meta(ns, name)).withStringData(Map.of(key, value)).build();
  }
}
