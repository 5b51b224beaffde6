package dev.tollgate.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.operator.api.v1alpha1.ApiKey;
import dev.tollgate.operator.api.v1alpha1.ApiKeySpec;
import dev.tollgate.operator.api.v1alpha1.Condition;
import dev.tollgate.operator.api.v1alpha1.RoutePolicy;
import dev.tollgate.operator.api.v1alpha1.RoutePolicySpec;
import dev.tollgate.operator.api.v1alpha1.SpendCap;
import dev.tollgate.operator.api.v1alpha1.SpendCapSpec;
import dev.tollgate.operator.api.v1alpha1.SpendCapStatus;
import dev.tollgate.operator.api.v1alpha1.Tenant;
import dev.tollgate.operator.api.v1alpha1.TenantSpec;
import dev.tollgate.operator.api.v1alpha1.TenantStatus.MonthToDate;
import dev.tollgate.operator.api.v1alpha1.TollgateStatus;
import dev.tollgate.operator.reconciler.Conditions;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.CapDefinition;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.CredentialSealer;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.TenantRecord;
import dev.tollgate.testkit.RedisProcess;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What a user of the operator notices, checked end to end: objects in the Kubernetes API, the
 * operator running, and what lands in a real Redis. Runs against the CRUD mock by default
 * ({@link OperatorTest}) and against {@code KUBECONFIG}'s cluster in the real-cluster profile.
 */
abstract class OperatorBehaviour {

  static final Duration RESYNC = Duration.ofSeconds(2);
  static final Duration WAIT = Duration.ofSeconds(20);

  abstract KubernetesClient client();

  abstract RedisProcess redisProcess();

  abstract OperatorHarness harness();

  JedisPooled redis() {
    return redisProcess().client();
  }

  String newNamespace() {
    String ns = Fixtures.namespace();
    client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    return ns;
  }

  <T extends HasMetadata> T create(T o) {
    return client().resource(o).create();
  }

  <T extends CustomResource<?, ?>> void edit(Class<T> type, String ns, String name, UnaryOperator<T> change) {
    client().resources(type).inNamespace(ns).withName(name).edit(change);
  }

  <T extends CustomResource<?, ? extends TollgateStatus>> Condition awaitReady(Class<T> type, String ns, String name, String status, String reason) {
    Condition[] found = new Condition[1];
    await().atMost(WAIT).untilAsserted(() -> {
      T o = client().resources(type).inNamespace(ns).withName(name).get();
      assertThat(o).isNotNull();
      TollgateStatus s = o.getStatus();
      assertThat(s).as("status of %s", name).isNotNull();
      Condition c = Conditions.get(s, Condition.READY).orElse(null);
      assertThat(c).as("Ready of %s", name).isNotNull();
      assertThat(c.getStatus() + "/" + c.getReason()).as("Ready of %s: %s", name, c.getMessage()).isEqualTo(status + "/" + reason);
      assertThat(c.getObservedGeneration()).isEqualTo(o.getMetadata().getGeneration());
      assertThat(s.getObservedGeneration()).isEqualTo(o.getMetadata().getGeneration());
      found[0] = c;
    });
    return found[0];
  }

  String rawKey(String ns, ApiKey key) {
    Secret s = client().secrets().inNamespace(ns).withName(key.getStatus().getSecretName()).get();
    return new String(Base64.getDecoder().decode(s.getData().get("apiKey")), StandardCharsets.UTF_8);
  }

  ApiKey getKey(String ns, String name) {
    return client().resources(ApiKey.class).inNamespace(ns).withName(name).get();
  }

  ApiKeyRecord keyRecord(String hash) {
    String json = redis().get(RedisKeys.apiKey(hash));
    return json == null ? null : ConfigCodec.fromJson(json, ApiKeyRecord.class);
  }

  /** A tenant with its policy, both Ready. */
  void readyTenant(String ns, String tenant) {
    create(Fixtures.policy(ns, "default"));
    create(Fixtures.tenant(ns, tenant, "default"));
    awaitReady(Tenant.class, ns, tenant, "True", "Projected");
  }

  /** A new namespace holding tenant acme, its policy and its key {@code key}, all Ready. */
  String namespaceWithReadyKey(String key) {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    create(Fixtures.apiKey(ns, key, "acme"));
    awaitReady(ApiKey.class, ns, key, "True", "Projected");
    return ns;
  }

  @Test
  void tenantLandsInRedisUpdatesAtOnceAndIsRemovedOnDelete() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    TenantId id = new TenantId(ns, "acme");
    TenantRecord rec = ConfigCodec.fromJson(redis().get(RedisKeys.tenant(id)), TenantRecord.class);
    assertThat(rec.state()).isEqualTo(TenantRecord.ACTIVE);
    assertThat(rec.routePolicy()).isEqualTo("default");
    assertThat(rec.pricing().markupPpm()).isEqualTo(200_000);
    assertThat(rec.displayName()).isEqualTo("Client acme");
    assertThat(harness().changes()).contains("Tenant " + ns + "/acme");

    edit(Tenant.class, ns, "acme", t -> {
      t.getSpec().setState(TenantSpec.State.Suspended);
      return t;
    });
    await().atMost(WAIT).until(() -> redis().get(RedisKeys.tenant(id)).contains("\"state\":\"Suspended\""));
    awaitReady(Tenant.class, ns, "acme", "False", "Suspended");

    client().resources(Tenant.class).inNamespace(ns).withName("acme").delete();
    await().atMost(WAIT).until(() -> redis().get(RedisKeys.tenant(id)) == null);
    await().atMost(WAIT).until(() -> client().resources(Tenant.class).inNamespace(ns).withName("acme").get() == null);
  }

  @Test
  void tenantWithMissingPolicyWritesNothingThenConvergesWhenThePolicyAppears() {
    String ns = newNamespace();
    create(Fixtures.tenant(ns, "late", "later-policy"));
    awaitReady(Tenant.class, ns, "late", "False", "RoutePolicyNotFound");
    Tenant t = client().resources(Tenant.class).inNamespace(ns).withName("late").get();
    assertThat(Conditions.get(t.getStatus(), Condition.RESOLVED_REFS).orElseThrow().getStatus()).isEqualTo("False");
    assertThat(redis().get(RedisKeys.tenant(new TenantId(ns, "late")))).isNull();
    await().atMost(WAIT).untilAsserted(() -> assertThat(warnings(ns, "late")).contains("RoutePolicyNotFound"));

    create(Fixtures.policy(ns, "later-policy"));
    awaitReady(Tenant.class, ns, "late", "True", "Projected");
    assertThat(redis().get(RedisKeys.tenant(new TenantId(ns, "late")))).isNotNull();
  }

  @Test
  void apiKeyIsGeneratedIntoItsSecretAndOnlyItsHashReachesRedis() {
    String ns = namespaceWithReadyKey("web");
    ApiKey key = getKey(ns, "web");
    String raw = rawKey(ns, key);
    assertThat(raw).startsWith(ApiKeys.PREFIX).hasSize(46);
    assertThat(key.getStatus().getSecretName()).isEqualTo("web-key");
    assertThat(key.getStatus().getKeyPrefix()).isEqualTo(ApiKeys.displayPrefix(raw));
    Secret secret = client().secrets().inNamespace(ns).withName("web-key").get();
    assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(key.getMetadata().getUid()));

    ApiKeyRecord rec = keyRecord(ApiKeys.sha256Hex(raw));
    assertThat(rec).isNotNull();
    assertThat(rec.tenant()).isEqualTo(ns + "/acme");
    assertThat(rec.usableAt(System.currentTimeMillis())).isTrue();
    assertThat(harness().changes()).contains("ApiKey " + ApiKeys.sha256Hex(raw));
    assertNoRawKeyInRedis(raw);

    client().resources(ApiKey.class).inNamespace(ns).withName("web").delete();
    await().atMost(WAIT).until(() -> keyRecord(ApiKeys.sha256Hex(raw)) == null);
  }

  @Test
  void apiKeyStatusShowsItsOwnMonthToDateUsageFromTheGatewaysTotals() {
    String ns = namespaceWithReadyKey("web");
    assertThat(getKey(ns, "web").getStatus().getMonthToDate()).as("no usage yet").isNull();

    // What settle.lua leaves after requests by "web" and "mobile": tenant totals plus k:<key>:<field>.
    Map<String, String> totals = new HashMap<>();
    totals.putAll(Map.of("requests", "5", "tokensIn", "1500", "tokensOut", "700", "costMicros", "4250000", "billedMicros", "5100000"));
    totals.putAll(Map.of("k:web:requests", "3", "k:web:tokensIn", "1200", "k:web:tokensOut", "400",
        "k:web:costMicros", "1500000", "k:web:billedMicros", "1800000"));
    totals.putAll(Map.of("k:mobile:requests", "2", "k:mobile:tokensIn", "300", "k:mobile:tokensOut", "300",
        "k:mobile:costMicros", "2750000", "k:mobile:billedMicros", "3300000"));
    Instant now = Instant.now();
    redis().hset(RedisKeys.totals(new TenantId(ns, "acme"), Period.Month.key(now)), totals);

    // No edit: the resync reads the counters again.
    await().atMost(WAIT).untilAsserted(() -> {
      MonthToDate m = getKey(ns, "web").getStatus().getMonthToDate();
      assertThat(m).isNotNull();
      assertThat(m.getMonth()).isEqualTo(YearMonth.from(now.atZone(ZoneOffset.UTC)).toString());
      assertThat(m.getRequests()).isEqualTo(3);
      assertThat(m.getInputTokens()).isEqualTo(1200);
      assertThat(m.getOutputTokens()).isEqualTo(400);
      assertThat(m.getProviderCost()).isEqualTo("1.50");
      assertThat(m.getBilled()).isEqualTo("1.80");
      assertThat(m.getCurrency()).isEqualTo("USD");
      assertThat(m.getInvoice()).as("invoice is the tenant's").isNull();
    });
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(client().resources(Tenant.class).inNamespace(ns).withName("acme").get().getStatus().getMonthToDate())
            .satisfies(m -> assertThat(m.getRequests() + "/" + m.getProviderCost()).isEqualTo("5/4.25")));
  }

  @Test
  void apiKeyWaitsForItsTenantAndConvergesWithoutAnEdit() {
    String ns = newNamespace();
    create(Fixtures.apiKey(ns, "early", "not-yet"));
    awaitReady(ApiKey.class, ns, "early", "False", "TenantNotFound");
    assertThat(client().secrets().inNamespace(ns).withName("early-key").get()).isNull();
    assertThat(scanAll()).filteredOn(k -> k.startsWith(RedisKeys.PREFIX + "apikey:"))
        .noneMatch(k -> redis().get(k).contains(ns + "/"));

    create(Fixtures.policy(ns, "default"));
    create(Fixtures.tenant(ns, "not-yet", "default"));
    awaitReady(ApiKey.class, ns, "early", "True", "Projected");
    assertThat(keyRecord(getKey(ns, "early").getStatus().getKeyId())).isNotNull();
  }

  @Test
  void suspensionExpiryAndTenantSuspensionTakeEffectInRedis() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    create(Fixtures.apiKey(ns, "k", "acme"));
    awaitReady(ApiKey.class, ns, "k", "True", "Projected");
    String hash = getKey(ns, "k").getStatus().getKeyId();

    edit(ApiKey.class, ns, "k", k -> {
      k.getSpec().setState(ApiKeySpec.State.Suspended);
      return k;
    });
    await().atMost(WAIT).until(() -> ApiKeyRecord.SUSPENDED.equals(keyRecord(hash).state()));
    awaitReady(ApiKey.class, ns, "k", "False", "Suspended");

    Instant expiry = Instant.now().plusSeconds(3);
    edit(ApiKey.class, ns, "k", k -> {
      k.getSpec().setState(ApiKeySpec.State.Active);
      k.getSpec().setExpiresAt(expiry.toString());
      return k;
    });
    await().atMost(WAIT).until(() -> keyRecord(hash).notAfterMs() == expiry.toEpochMilli()
        && ApiKeyRecord.ACTIVE.equals(keyRecord(hash).state()));
    awaitReady(ApiKey.class, ns, "k", "False", "Expired");
    assertThat(keyRecord(hash).usableAt(System.currentTimeMillis())).isFalse();

    edit(ApiKey.class, ns, "k", k -> {
      k.getSpec().setExpiresAt(null);
      return k;
    });
    edit(Tenant.class, ns, "acme", t -> {
      t.getSpec().setState(TenantSpec.State.Suspended);
      return t;
    });
    await().atMost(WAIT).until(() -> redis().get(RedisKeys.tenant(new TenantId(ns, "acme"))).contains("Suspended"));
    awaitReady(ApiKey.class, ns, "k", "False", "TenantSuspended");
  }

  /**
   * Suspending a key, or giving it an expiry, is how a platform team withdraws it: that must reach
   * Redis even when something unrelated (here its models, now wider than the tenant's) keeps the rest
   * of the spec from being projected.
   */
  @Test
  void suspensionAndExpiryReachRedisEvenWhileAnotherProblemBlocksTheKey() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    ApiKey k = Fixtures.apiKey(ns, "k", "acme");
    k.getSpec().setAllowedModels(List.of("gpt-4o"));
    create(k);
    awaitReady(ApiKey.class, ns, "k", "True", "Projected");
    String hash = getKey(ns, "k").getStatus().getKeyId();
    edit(Tenant.class, ns, "acme", t -> {
      t.getSpec().setAllowedModels(List.of("gpt-4o-mini"));
      return t;
    });
    awaitReady(ApiKey.class, ns, "k", "False", "InvalidSpec");

    edit(ApiKey.class, ns, "k", a -> {
      a.getSpec().setState(ApiKeySpec.State.Suspended);
      return a;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(keyRecord(hash).state()).isEqualTo(ApiKeyRecord.SUSPENDED));
    awaitReady(ApiKey.class, ns, "k", "False", "InvalidSpec");

    Instant expiry = Instant.now().minusSeconds(60);
    edit(ApiKey.class, ns, "k", a -> {
      a.getSpec().setState(ApiKeySpec.State.Active);
      a.getSpec().setExpiresAt(expiry.toString());
      return a;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(keyRecord(hash).notAfterMs()).isEqualTo(expiry.toEpochMilli()));
    // Setting it back to Active under a problem does not bring it back: only a full projection can.
    assertThat(keyRecord(hash).state()).isEqualTo(ApiKeyRecord.SUSPENDED);
    assertThat(keyRecord(hash).usableAt(System.currentTimeMillis())).isFalse();
  }

  /** The same for a tenant: suspending it takes effect even while its new RoutePolicy does not exist yet. */
  @Test
  void tenantSuspensionReachesRedisEvenWhileAnotherProblemBlocksTheTenant() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    TenantId id = new TenantId(ns, "acme");
    edit(Tenant.class, ns, "acme", t -> {
      t.getSpec().setRoutePolicyRef(new dev.tollgate.operator.api.v1alpha1.LocalRef("premium"));
      t.getSpec().setState(TenantSpec.State.Suspended);
      return t;
    });
    awaitReady(Tenant.class, ns, "acme", "False", "RoutePolicyNotFound");
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        ConfigCodec.fromJson(redis().get(RedisKeys.tenant(id)), TenantRecord.class).state()).isEqualTo(TenantRecord.SUSPENDED));
    // Nothing else of the blocked spec was written.
    assertThat(ConfigCodec.fromJson(redis().get(RedisKeys.tenant(id)), TenantRecord.class).routePolicy()).isEqualTo("default");
  }

  /**
   * A key hash belongs to one ApiKey. Another ApiKey importing the same value, in another tenant or
   * namespace, must not take it over (re-point the key to its tenant, revive it after a suspension,
   * revoke it when deleted): it is reported as a conflict and writes nothing.
   */
  @Test
  void anImportOfAKeyAnotherApiKeyOwnsCannotTakeItOver() {
    String victimNs = namespaceWithReadyKey("victim");
    ApiKey victim = getKey(victimNs, "victim");
    String raw = rawKey(victimNs, victim);
    String hash = victim.getStatus().getKeyId();

    String ns = newNamespace();
    readyTenant(ns, "other");
    create(Fixtures.secret(ns, "copied", "apiKey", raw));
    ApiKey thief = Fixtures.apiKey(ns, "thief", "other");
    thief.getSpec().setImportFrom(new dev.tollgate.operator.api.v1alpha1.SecretKeyRef("copied", "apiKey"));
    create(thief);
    Condition c = awaitReady(ApiKey.class, ns, "thief", "False", "KeyConflict");
    assertThat(c.getMessage()).doesNotContain(raw);
    assertThat(keyRecord(hash).tenant()).isEqualTo(victimNs + "/acme");
    assertThat(keyRecord(hash).keyName()).isEqualTo("victim");

    edit(ApiKey.class, victimNs, "victim", a -> {
      a.getSpec().setState(ApiKeySpec.State.Suspended);
      return a;
    });
    awaitReady(ApiKey.class, victimNs, "victim", "False", "Suspended");
    // Several resyncs later the suspension still holds and the key still names its own tenant.
    await().pollDelay(RESYNC.multipliedBy(2)).atMost(WAIT).untilAsserted(() -> {
      assertThat(keyRecord(hash).state()).isEqualTo(ApiKeyRecord.SUSPENDED);
      assertThat(keyRecord(hash).tenant()).isEqualTo(victimNs + "/acme");
    });

    // Deleting the conflicting ApiKey leaves the owner's record alone.
    edit(ApiKey.class, victimNs, "victim", a -> {
      a.getSpec().setState(ApiKeySpec.State.Active);
      return a;
    });
    awaitReady(ApiKey.class, victimNs, "victim", "True", "Projected");
    client().resources(ApiKey.class).inNamespace(ns).withName("thief").delete();
    await().atMost(WAIT).until(() -> getKey(ns, "thief") == null);
    await().pollDelay(Duration.ofMillis(500)).atMost(WAIT).untilAsserted(() -> assertThat(keyRecord(hash)).isNotNull());
  }

  @Test
  void rotationKeepsBothKeysOnlyForTheOverlap() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    ApiKey k = Fixtures.apiKey(ns, "rot", "acme");
    k.getSpec().setRotation(new ApiKeySpec.Rotation(0, "4s"));
    create(k);
    awaitReady(ApiKey.class, ns, "rot", "True", "Projected");
    String oldRaw = rawKey(ns, getKey(ns, "rot"));
    String oldHash = ApiKeys.sha256Hex(oldRaw);

    long before = System.currentTimeMillis();
    edit(ApiKey.class, ns, "rot", a -> {
      a.getSpec().getRotation().setGeneration(1);
      return a;
    });
    await().atMost(WAIT).until(() -> !oldHash.equals(getKey(ns, "rot").getStatus().getKeyId()));
    ApiKey rotated = getKey(ns, "rot");
    String newRaw = rawKey(ns, rotated);
    assertThat(newRaw).isNotEqualTo(oldRaw);
    assertThat(rotated.getStatus().getPreviousKeyId()).isEqualTo(oldHash);
    assertThat(rotated.getStatus().getPreviousKeyPrefix()).isEqualTo(ApiKeys.displayPrefix(oldRaw));
    assertThat(keyRecord(ApiKeys.sha256Hex(newRaw)).notAfterMs()).isZero();
    ApiKeyRecord old = keyRecord(oldHash);
    assertThat(old).isNotNull();
    assertThat(old.notAfterMs()).isBetween(before + 4_000, System.currentTimeMillis() + 4_000);

    await().atMost(WAIT).until(() -> keyRecord(oldHash) == null);
    assertThat(keyRecord(ApiKeys.sha256Hex(newRaw))).isNotNull();
    await().atMost(WAIT).until(() -> getKey(ns, "rot").getStatus().getPreviousKeyId() == null);
    assertNoRawKeyInRedis(newRaw);
  }

  @Test
  void importedKeyIsHashedAndFollowsItsSecret() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    String legacy = "sk-legacy-0123456789abcdef";
    ApiKey k = Fixtures.apiKey(ns, "migrated", "acme");
    k.getSpec().setImportFrom(new dev.tollgate.operator.api.v1alpha1.SecretKeyRef("old-gateway", "key"));
    create(k);
    awaitReady(ApiKey.class, ns, "migrated", "False", "SecretNotFound");
    create(Fixtures.secret(ns, "old-gateway", "key", legacy));
    awaitReady(ApiKey.class, ns, "migrated", "True", "Projected");
    assertThat(keyRecord(ApiKeys.sha256Hex(legacy))).isNotNull();
    assertThat(rawKey(ns, getKey(ns, "migrated"))).isEqualTo(legacy);
    assertNoRawKeyInRedis(legacy);

    // the imported Secret deleted: the key ends at once, as a generated key does when its Secret is lost
    client().secrets().inNamespace(ns).withName("old-gateway").delete();
    awaitReady(ApiKey.class, ns, "migrated", "False", "SecretNotFound");
    await().atMost(WAIT).until(() -> keyRecord(ApiKeys.sha256Hex(legacy)) == null);
    // and restored with the same value, the same key works again
    create(Fixtures.secret(ns, "old-gateway", "key", legacy));
    awaitReady(ApiKey.class, ns, "migrated", "True", "Projected");
    assertThat(keyRecord(ApiKeys.sha256Hex(legacy))).isNotNull();
  }

  @Test
  void keyModelsWiderThanTheTenantsAreInvalid() {
    String ns = newNamespace();
    create(Fixtures.policy(ns, "default"));
    Tenant t = Fixtures.tenant(ns, "narrow", "default");
    t.getSpec().setAllowedModels(List.of("gpt-4o-mini"));
    create(t);
    ApiKey k = Fixtures.apiKey(ns, "wide", "narrow");
    k.getSpec().setAllowedModels(List.of("gpt-*"));
    create(k);
    Condition c = awaitReady(ApiKey.class, ns, "wide", "False", "InvalidSpec");
    assertThat(c.getMessage()).contains("gpt-*");
    assertThat(client().secrets().inNamespace(ns).withName("wide-key").get()).isNull();
  }

  @Test
  void spendCapLandsInTheTenantsCapsHashAndFollowsUpdatesAndDeletes() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    TenantId id = new TenantId(ns, "acme");
    create(Fixtures.cap(ns, "monthly", "acme", "250.00"));
    awaitReady(SpendCap.class, ns, "monthly", "True", "Projected");
    CapDefinition def = ConfigCodec.fromJson(redis().hget(RedisKeys.caps(id), "monthly"), CapDefinition.class);
    assertThat(def.limits()).containsExactly(new CapDefinition.Limit(Period.Month, 250_000_000L));
    assertThat(def.currency()).isEqualTo("USD");
    assertThat(def.action()).isEqualTo(CapDefinition.REJECT);

    // Live spend from the gateway's counters shows up in status.
    redis().hset(RedisKeys.spend(id, "monthly", Period.Month.key(Instant.now())), Map.of("spent", "125000000", "reserved", "1000000"));
    edit(SpendCap.class, ns, "monthly", c -> {
      c.getSpec().setLimits(List.of(new SpendCapSpec.Limit(Period.Month, "500"), new SpendCapSpec.Limit(Period.Day, "20.5")));
      return c;
    });
    await().atMost(WAIT).untilAsserted(() -> {
      CapDefinition d = ConfigCodec.fromJson(redis().hget(RedisKeys.caps(id), "monthly"), CapDefinition.class);
      assertThat(d.limits()).containsExactly(new CapDefinition.Limit(Period.Month, 500_000_000L), new CapDefinition.Limit(Period.Day, 20_500_000L));
      SpendCap c = client().resources(SpendCap.class).inNamespace(ns).withName("monthly").get();
      assertThat(c.getStatus().getSpend()).first().satisfies(s -> {
        assertThat(s.getSpent()).isEqualTo("125.00");
        assertThat(s.getUsedPercent()).isEqualTo(25);
      });
    });

    client().resources(SpendCap.class).inNamespace(ns).withName("monthly").delete();
    await().atMost(WAIT).until(() -> redis().hget(RedisKeys.caps(id), "monthly") == null);
  }

  @Test
  void reservationOfADeadGatewayIsReleasedAtResyncEvenWhileTheTenantIsIdle() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    TenantId id = new TenantId(ns, "acme");
    String spendKey = RedisKeys.spend(id, "daily", Period.Day.key(Instant.now()));
    // what admit.lua leaves for a request whose gateway died before settling: a reservation record,
    // its lease (ended a minute ago) and the amount held on the spend key; plus one still leased
    redis().hset(RedisKeys.reservations(id), Map.of(
        "req_dead", "{\"a\":500,\"s\":[\"" + spendKey + "\"]}",
        "req_alive", "{\"a\":70,\"s\":[\"" + spendKey + "\"]}"));
    redis().zadd(RedisKeys.reservationLeases(id), System.currentTimeMillis() - 60_000, "req_dead");
    redis().zadd(RedisKeys.reservationLeases(id), System.currentTimeMillis() + 600_000, "req_alive");
    redis().hset(spendKey, Map.of("spent", "1000", "reserved", "570"));

    SpendCap cap = Fixtures.cap(ns, "daily", "acme", "10.00");
    cap.getSpec().setLimits(List.of(new SpendCapSpec.Limit(Period.Day, "10.00")));
    create(cap);
    awaitReady(SpendCap.class, ns, "daily", "True", "Projected");

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(redis().hget(spendKey, "reserved")).isEqualTo("70");
      // released, and marked as not settled (a late settle still bills it once; admit.lua)
      assertThat(redis().hget(RedisKeys.reservations(id), "req_dead")).isEqualTo("x");
      assertThat(redis().hexists(RedisKeys.reservations(id), "req_alive")).isTrue();
      SpendCap c = client().resources(SpendCap.class).inNamespace(ns).withName("daily").get();
      assertThat(c.getStatus().getSpend()).first().satisfies(s -> assertThat(s.getReserved()).isEqualTo("0.00007"));
    });
    assertThat(redis().hget(spendKey, "spent")).isEqualTo("1000");
  }

  @Test
  void spendThresholdsRaiseOneWarningEventEachPerPeriod() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    SpendCap cap = Fixtures.cap(ns, "budget", "acme", "10.00");
    cap.getSpec().setLimits(List.of(new SpendCapSpec.Limit(Period.Day, "10.00")));
    cap.getSpec().setAction(SpendCapSpec.Action.Alert);
    cap.getSpec().setAlertThresholdsPercent(List.of(80, 50));
    create(cap);
    awaitReady(SpendCap.class, ns, "budget", "True", "Projected");
    String spendKey = RedisKeys.spend(new TenantId(ns, "acme"), "budget", Period.Day.key(Instant.now()));

    redis().hset(spendKey, Map.of("spent", "6000000", "reserved", "0")); // 60 %
    await().atMost(WAIT).untilAsserted(() -> assertThat(raised(ns, "budget")).containsExactly(50));
    assertThat(thresholdEvents(ns, "budget")).hasSize(1).first().asString()
        .contains("Day spend reached 50% of its limit: 6.00 of 10.00 USD spent");

    // an Alert cap lets requests pass its limit: 100 % is raised too
    redis().hset(spendKey, "spent", "12000000");
    await().atMost(WAIT).untilAsserted(() -> assertThat(raised(ns, "budget")).containsExactly(50, 80, 100));
    // once each: later reconciles (every 2 s here) raise nothing again
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(thresholdEvents(ns, "budget")).hasSize(3));
    // and for Prometheus: spent / limit of the period
    assertThat(harness().meters().get("tollgate_spend_cap_used_ratio").tags("namespace", ns, "spendcap", "budget", "period", "Day")
        .gauge().value()).isEqualTo(1.2);
  }

  @Test
  void aTotalCapShowsWhatIsLeftWithoutAResetAndItsAlertsReArmAfterATopUp() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    SpendCap cap = Fixtures.cap(ns, "prepaid", "acme", "100.00");
    cap.getSpec().setLimits(List.of(new SpendCapSpec.Limit(Period.Total, "100.00"), new SpendCapSpec.Limit(Period.Week, "40.00")));
    cap.getSpec().setAlertThresholdsPercent(List.of(50, 80));
    create(cap);
    awaitReady(SpendCap.class, ns, "prepaid", "True", "Projected");
    TenantId id = new TenantId(ns, "acme");
    CapDefinition def = ConfigCodec.fromJson(redis().hget(RedisKeys.caps(id), "prepaid"), CapDefinition.class);
    assertThat(def.limits()).containsExactly(new CapDefinition.Limit(Period.Total, 100_000_000L), new CapDefinition.Limit(Period.Week, 40_000_000L));
    String total = RedisKeys.spend(id, "prepaid", "T");

    redis().hset(total, Map.of("spent", "90000000", "reserved", "0")); // 90 % of the credit
    await().atMost(WAIT).untilAsserted(() -> {
      List<SpendCapStatus.PeriodSpend> spend = client().resources(SpendCap.class).inNamespace(ns).withName("prepaid").get().getStatus().getSpend();
      assertThat(spend).hasSize(2);
      assertThat(spend.get(0)).satisfies(s -> {
        assertThat(s.getPeriod()).isEqualTo("Total");
        assertThat(s.getPeriodKey()).isEqualTo("T");
        assertThat(s.getSpent()).isEqualTo("90.00");
        assertThat(s.getRemaining()).isEqualTo("10.00");
        assertThat(s.getResetsAt()).isNull();
        assertThat(s.getAlertsRaised()).containsExactly(50, 80);
      });
      assertThat(spend.get(1)).satisfies(s -> {
        assertThat(s.getPeriod()).isEqualTo("Week");
        assertThat(s.getPeriodKey()).isEqualTo(Period.Week.key(Instant.now()));
        assertThat(Instant.parse(s.getResetsAt())).isEqualTo(Period.Week.reset(Instant.now()));
        assertThat(s.getRemaining()).isEqualTo("40.00");
        assertThat(s.getAlertsRaised()).isEmpty();
      });
    });
    assertThat(thresholdEvents(ns, "prepaid")).hasSize(2).allSatisfy(m -> assertThat(m).contains("never resets, 10.00 left"));

    // a top-up: 90 of 150 is 60 %, so 80 is re-armed; 50 is still reached and not raised twice
    edit(SpendCap.class, ns, "prepaid", c -> {
      c.getSpec().setLimits(List.of(new SpendCapSpec.Limit(Period.Total, "150.00"), new SpendCapSpec.Limit(Period.Week, "40.00")));
      return c;
    });
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(raised(ns, "prepaid")).containsExactly(50);
      assertThat(client().resources(SpendCap.class).inNamespace(ns).withName("prepaid").get().getStatus().getSpend().get(0).getRemaining())
          .isEqualTo("60.00");
    });
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8))
        .untilAsserted(() -> assertThat(thresholdEvents(ns, "prepaid")).hasSize(2));

    // crossing 80 % of the new limit raises it again, once
    redis().hset(total, "spent", "121000000");
    await().atMost(WAIT).untilAsserted(() -> assertThat(raised(ns, "prepaid")).containsExactly(50, 80));
    assertThat(thresholdEvents(ns, "prepaid")).hasSize(3)
        .anyMatch(m -> m.contains("Total spend reached 80% of its limit: 121.00 of 150.00 USD spent in T (80%), never resets, 29.00 left"));
    // the counter is the gateway's: the operator never gives it a TTL
    assertThat(redis().ttl(total)).isEqualTo(-1);
  }

  /**
   * Redis loses the counters (a flush, an empty replacement, a failover that lost writes): the
   * operator raises each back to the spend its status last showed for the period, with a Warning
   * Event, instead of letting the cap start the period again (and a prepaid credit be given back).
   * Spend settled after the restore counts on top; nothing is restored twice.
   */
  @Test
  void spendCountersRedisLostAreRaisedBackToWhatStatusLastShowed() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    SpendCap cap = Fixtures.cap(ns, "prepaid", "acme", "100.00");
    cap.getSpec().setLimits(List.of(new SpendCapSpec.Limit(Period.Total, "100.00"), new SpendCapSpec.Limit(Period.Day, "50.00")));
    create(cap);
    awaitReady(SpendCap.class, ns, "prepaid", "True", "Projected");
    TenantId id = new TenantId(ns, "acme");
    String total = RedisKeys.spend(id, "prepaid", "T");
    String day = RedisKeys.spend(id, "prepaid", Period.Day.key(Instant.now()));
    redis().hset(total, Map.of("spent", "90000000", "reserved", "0"));
    redis().hset(day, Map.of("spent", "30000000", "reserved", "0"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(spentInStatus(ns, "prepaid")).containsExactly("90.00", "30.00"));

    // the loss: the prepaid counter gone entirely, the day's partly (a failover that lost writes)
    redis().del(total);
    redis().hset(day, "spent", "12000000");

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(redis().hget(total, "spent")).isEqualTo("90000000");
      assertThat(redis().hget(day, "spent")).isEqualTo("30000000");
    });
    assertThat(redis().ttl(total)).as("a Total counter never expires").isEqualTo(-1);
    assertThat(redis().ttl(day)).as("a recreated period counter still expires").isPositive();
    assertThat(spentInStatus(ns, "prepaid")).containsExactly("90.00", "30.00");
    assertThat(events(ns, "prepaid", "SpendCounterRestored")).hasSize(2)
        .anyMatch(m -> m.contains("Total spend counter of T was 0.00 USD in Redis, below the 90.00 last seen"));

    // spend settled after the restore counts on top; nothing is lowered or restored again
    redis().hincrBy(total, "spent", 5_000_000);
    await().atMost(WAIT).untilAsserted(() -> assertThat(spentInStatus(ns, "prepaid")).containsExactly("95.00", "30.00"));
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8))
        .untilAsserted(() -> assertThat(events(ns, "prepaid", "SpendCounterRestored")).hasSize(2));
  }

  private List<String> spentInStatus(String ns, String cap) {
    SpendCapStatus status = client().resources(SpendCap.class).inNamespace(ns).withName(cap).get().getStatus();
    return status == null || status.getSpend() == null ? List.of() : status.getSpend().stream().map(SpendCapStatus.PeriodSpend::getSpent).toList();
  }

  private List<String> events(String ns, String name, String reason) {
    List<String> out = new ArrayList<>();
    for (Event e : client().v1().events().inNamespace(ns).list().getItems()) {
      if (name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())) {
        out.add(e.getMessage());
      }
    }
    return out;
  }

  private List<Integer> raised(String ns, String cap) {
    return client().resources(SpendCap.class).inNamespace(ns).withName(cap).get().getStatus().getSpend().get(0).getAlertsRaised();
  }

  private List<String> thresholdEvents(String ns, String name) {
    return events(ns, name, "SpendThresholdReached");
  }

  @Test
  void spendCapInAnotherCurrencyOrOnAMissingKeyIsNotWritten() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    SpendCap eur = Fixtures.cap(ns, "eur", "acme", "100");
    eur.getSpec().setCurrency("EUR");
    create(eur);
    assertThat(awaitReady(SpendCap.class, ns, "eur", "False", "InvalidSpec").getMessage()).contains("EUR").contains("USD");

    SpendCap perKey = Fixtures.cap(ns, "per-key", "acme", "10");
    perKey.getSpec().setScope(SpendCapSpec.Scope.ApiKey);
    perKey.getSpec().setApiKeyRef(new dev.tollgate.operator.api.v1alpha1.LocalRef("bot"));
    create(perKey);
    awaitReady(SpendCap.class, ns, "per-key", "False", "ApiKeyNotFound");
    assertThat(redis().hgetAll(RedisKeys.caps(new TenantId(ns, "acme")))).isEmpty();

    create(Fixtures.apiKey(ns, "bot", "acme"));
    awaitReady(SpendCap.class, ns, "per-key", "True", "Projected");
    CapDefinition d = ConfigCodec.fromJson(redis().hget(RedisKeys.caps(new TenantId(ns, "acme")), "per-key"), CapDefinition.class);
    assertThat(d.scope()).isEqualTo(CapDefinition.SCOPE_API_KEY);
    assertThat(d.apiKey()).isEqualTo("bot");
  }

  @Test
  void routePolicySealsCredentialsAndResealsWhenTheSecretChanges() {
    String ns = newNamespace();
    create(Fixtures.policy(ns, "p", "openai-creds"));
    awaitReady(RoutePolicy.class, ns, "p", "False", "SecretNotFound");
    assertThat(redis().get(RedisKeys.routePolicy(ns, "p"))).isNull();

    create(Fixtures.secret(ns, "openai-creds", "apiKey", "sk-provider-one"));
    awaitReady(RoutePolicy.class, ns, "p", "True", "Projected");
    CredentialSealer sealer = CredentialSealer.fromBase64(OperatorHarness.CREDENTIALS_KEY);
    RoutePlan plan = ConfigCodec.fromJson(redis().get(RedisKeys.routePolicy(ns, "p")), RoutePlan.class);
    assertThat(redis().get(RedisKeys.routePolicy(ns, "p"))).doesNotContain("sk-provider-one");
    assertThat(sealer.open(plan.providers().get("openai").sealedCredential(), ns + "/p")).isEqualTo("sk-provider-one");
    assertThat(plan.routeFor("gpt-4o-mini").targets().get(0).inputMicrosPerMillion()).isEqualTo(150_000);
    assertThat(plan.version()).isEqualTo(client().resources(RoutePolicy.class).inNamespace(ns).withName("p").get().getStatus().getVersion());

    client().secrets().inNamespace(ns).withName("openai-creds").edit(s -> {
      s.setData(Map.of("apiKey", Base64.getEncoder().encodeToString("sk-provider-two".getBytes(StandardCharsets.UTF_8))));
      s.setStringData(null);
      return s;
    });
    await().atMost(WAIT).untilAsserted(() -> {
      RoutePlan p = ConfigCodec.fromJson(redis().get(RedisKeys.routePolicy(ns, "p")), RoutePlan.class);
      assertThat(sealer.open(p.providers().get("openai").sealedCredential(), ns + "/p")).isEqualTo("sk-provider-two");
      assertThat(p.version()).isNotEqualTo(plan.version());
    });
  }

  @Test
  void routePolicyCachePricesReachThePlanAndASwappedPriceIsInvalid() {
    String ns = newNamespace();
    RoutePolicy policy = Fixtures.policy(ns, "p");
    RoutePolicySpec.Target target = policy.getSpec().getRoutes().get(0).getTargets().get(0);
    target.setCachedInputPricePerMillion("0.075");
    create(policy);
    awaitReady(RoutePolicy.class, ns, "p", "True", "Projected");
    RoutePlan plan = ConfigCodec.fromJson(redis().get(RedisKeys.routePolicy(ns, "p")), RoutePlan.class);
    RoutePlan.Target t = plan.routeFor("gpt-4o-mini").targets().get(0);
    assertThat(t.cachedInputMicrosPerMillion()).isEqualTo(75_000L);
    assertThat(t.cacheWriteMicrosPerMillion()).as("unset: the gateway applies the input price").isNull();
    assertThat(t.effectiveCacheWriteMicrosPerMillion()).isEqualTo(150_000L);

    edit(RoutePolicy.class, ns, "p", p -> {
      p.getSpec().getRoutes().get(0).getTargets().get(0).setCachedInputPricePerMillion("1.50");
      return p;
    });
    Condition c = awaitReady(RoutePolicy.class, ns, "p", "False", "InvalidSpec");
    assertThat(c.getMessage()).contains("cachedInputPricePerMillion (1.50) must not exceed inputPricePerMillion (0.15)");
    assertThat(ConfigCodec.fromJson(redis().get(RedisKeys.routePolicy(ns, "p")), RoutePlan.class))
        .as("the last valid plan stays").isEqualTo(plan);
  }

  @Test
  void routePolicyCooldownReachesThePlanAndAMaximumBelowTheBaseIsInvalid() {
    String ns = newNamespace();
    create(Fixtures.policyWithCooldown(ns, "p", 1, "2s", "1m"));
    awaitReady(RoutePolicy.class, ns, "p", "True", "Projected");
    RoutePlan plan = ConfigCodec.fromJson(redis().get(RedisKeys.routePolicy(ns, "p")), RoutePlan.class);
    assertThat(plan.cooldown()).isEqualTo(new RoutePlan.Cooldown(1, 2_000, 60_000));

    edit(RoutePolicy.class, ns, "p", p -> {
      p.getSpec().getCooldown().setMaxDuration("1s");
      return p;
    });
    Condition c = awaitReady(RoutePolicy.class, ns, "p", "False", "InvalidSpec");
    assertThat(c.getMessage()).contains("cooldown.maxDuration (1s) must not be below cooldown.baseDuration (2s)");
    assertThat(ConfigCodec.fromJson(redis().get(RedisKeys.routePolicy(ns, "p")), RoutePlan.class))
        .as("the last valid plan stays").isEqualTo(plan);
  }

  @Test
  void flushedRedisIsRewrittenWithinTheResyncInterval() {
    String ns = newNamespace();
    readyTenant(ns, "acme");
    create(Fixtures.apiKey(ns, "k", "acme"));
    create(Fixtures.cap(ns, "cap", "acme", "1"));
    awaitReady(ApiKey.class, ns, "k", "True", "Projected");
    awaitReady(SpendCap.class, ns, "cap", "True", "Projected");
    String hash = getKey(ns, "k").getStatus().getKeyId();
    redis().flushAll();
    await().atMost(RESYNC.multipliedBy(4)).untilAsserted(() -> {
      assertThat(redis().get(RedisKeys.tenant(new TenantId(ns, "acme")))).isNotNull();
      assertThat(redis().get(RedisKeys.routePolicy(ns, "default"))).isNotNull();
      assertThat(keyRecord(hash)).isNotNull();
      assertThat(redis().hget(RedisKeys.caps(new TenantId(ns, "acme")), "cap")).isNotNull();
    });
  }

  List<String> warnings(String ns, String name) {
    List<String> out = new ArrayList<>();
    for (Event e : client().v1().events().inNamespace(ns).list().getItems()) {
      if (name.equals(e.getInvolvedObject().getName()) && "Warning".equals(e.getType())) {
        out.add(e.getReason());
      }
    }
    return out;
  }

  List<String> scanAll() {
    List<String> keys = new ArrayList<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> r = redis().scan(cursor, new ScanParams().count(500));
      keys.addAll(r.getResult());
      cursor = r.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return keys;
  }

  /** SCANs every key and reads every value: the raw key must appear nowhere. */
  void assertNoRawKeyInRedis(String raw) {
    for (String k : scanAll()) {
      assertThat(k).doesNotContain(raw);
      String type = redis().type(k);
      List<String> values = switch (type) {
        case "string" -> List.of(redis().get(k));
        case "hash" -> redis().hgetAll(k).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        case "zset" -> redis().zrange(k, 0, -1);
        default -> List.of();
      };
      assertThat(type).isIn("string", "hash", "zset");
      values.forEach(v -> assertThat(v).as("value of %s", k).doesNotContain(raw));
    }
  }
}
