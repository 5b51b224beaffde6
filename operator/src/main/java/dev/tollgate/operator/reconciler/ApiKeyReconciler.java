package dev.tollgate.operator.reconciler;

import dev.tollgate.operator.api.v1alpha1.ApiKey;
import dev.tollgate.operator.api.v1alpha1.ApiKeySpec;
import dev.tollgate.operator.api.v1alpha1.ApiKeyStatus;
import dev.tollgate.operator.api.v1alpha1.RoutePolicy;
import dev.tollgate.operator.api.v1alpha1.Tenant;
import dev.tollgate.operator.api.v1alpha1.TenantSpec;
import dev.tollgate.operator.projection.ApiKeyProjection;
import dev.tollgate.operator.projection.Problem;
import dev.tollgate.operator.projection.ProblemException;
import dev.tollgate.operator.projection.TenantProjection;
import dev.tollgate.operator.redis.ConfigWriter;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.CounterFields;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Issues, imports, rotates and revokes client keys. The key lives only in a Secret owned by the
 * ApiKey; Redis gets {@link ApiKeyRecord}s indexed by the key's SHA-256. {@code status.keyId} names
 * the hash last projected, so a changed key (rotation, a new imported value, a lost Secret) is
 * noticed and the old record ends: after {@code rotation.overlap}, or at once if the Secret was lost.
 */
public final class ApiKeyReconciler extends ProjectingReconciler<ApiKey, ApiKeyStatus> {

  /** Data key of the generated Secret. */
  public static final String SECRET_KEY = "apiKey";
  /** Annotation on the Secret: the rotation.generation its key was issued for (written with the key, atomically). */
  public static final String ROTATION_ANNOTATION = "tollgate.dev/rotation-generation";
  /** Ready=False reason: the key value is another ApiKey's (imported twice, or a Secret edited by hand). */
  public static final String KEY_CONFLICT = "KeyConflict";
  /** Primary-cache index: the key hashes an ApiKey's status claims (current and previous). */
  private static final String KEY_HASH_INDEX = "keyHash";

  public ApiKeyReconciler(ConfigWriter writer, Duration resync, Clock clock) {
    super(writer, resync, clock);
  }

  @Override
  public List<EventSource<?, ApiKey>> prepareEventSources(EventSourceContext<ApiKey> context) {
    context.getPrimaryCache().addIndexer(KEY_HASH_INDEX, ApiKeyReconciler::claimedHashes);
    return List.of(
        References.watch(Tenant.class, context, (k, name) -> name.equals(tenantName(k))),
        References.watch(RoutePolicy.class, context, (k, name) ->
            k.getSpec() != null && k.getSpec().getRoutePolicyRef() != null && name.equals(k.getSpec().getRoutePolicyRef().getName())),
        References.watch(Secret.class, context, (k, name) -> name.equals(ApiKeyProjection.secretName(k))
            || (k.getSpec() != null && k.getSpec().getImportFrom() != null && name.equals(k.getSpec().getImportFrom().getName()))));
  }

  @Override
  protected Outcome sync(ApiKey key, ApiKeyStatus status, Context<ApiKey> context) {
    KubernetesClient client = context.getClient();
    String ns = namespace(key);
    ApiKeySpec spec = key.getSpec();
    if (tenantName(key) == null) {
      throw Problem.invalid("tenantRef is required");
    }
    Tenant tenant = References.require(context, Tenant.class, ns, tenantName(key), Problem.TENANT_NOT_FOUND);
    if (spec.getRoutePolicyRef() != null) {
      References.require(context, RoutePolicy.class, ns, spec.getRoutePolicyRef().getName(), Problem.ROUTE_POLICY_NOT_FOUND);
    }
    String imported = spec.getImportFrom() == null ? null : References.secretValue(context, ns, spec.getImportFrom());
    if (imported != null && imported.length() < 16) {
      throw Problem.invalid("the imported key in Secret " + spec.getImportFrom().getName() + " is shorter than 16 characters");
    }
    // Everything that can be invalid is checked before anything is written.
    ApiKeyRecord record = ApiKeyProjection.of(key, tenant);
    Duration overlap = ApiKeyProjection.overlap(spec);

    String secretName = ApiKeyProjection.secretName(key);
    Secret secret = client.secrets().inNamespace(ns).withName(secretName).get();
    if (secret != null && !ownedBy(secret, key)) {
      throw new Problem(Problem.SECRET_CONFLICT, "Secret " + secretName + " exists and is not owned by this ApiKey").exception();
    }
    String stored = secret == null ? null : References.value(secret, SECRET_KEY);
    long wantedRotation = spec.getRotation() == null ? 0 : spec.getRotation().getGeneration();
    long issuedRotation = secret == null ? 0 : rotationOf(secret);
    String rawKey;
    if (imported != null) {
      rawKey = imported;
    } else if (stored == null || wantedRotation > issuedRotation) {
      rawKey = ApiKeys.generate();
    } else {
      rawKey = stored;
    }
    String hash = ApiKeys.sha256Hex(rawKey);
    requireUnclaimed(key, hash, status, context);
    if (secret == null || !rawKey.equals(stored) || issuedRotation != wantedRotation) {
      writeSecret(client, key, secretName, rawKey, wantedRotation, secret);
    }

    Instant now = clock.instant();
    String known = status.getKeyId();
    String previous = status.getPreviousKeyId();
    String previousPrefix = status.getPreviousKeyPrefix();
    long previousEnd = status.getPreviousKeyExpiresAt() == null ? 0 : Instant.parse(status.getPreviousKeyExpiresAt()).toEpochMilli();
    if (known != null && !known.equals(hash)) {
      if (previous != null && !previous.equals(hash) && !previous.equals(known)) {
        revoke(previous, key); // a rotation during an overlap ends the older overlap now
      }
      if (stored == null) {
        // The Secret was lost: nobody may hold the old key legitimately any more, so it ends now.
        revoke(known, key);
        previous = null;
      } else {
        previous = known;
        previousPrefix = status.getKeyPrefix();
        previousEnd = now.plus(overlap).toEpochMilli();
      }
    }
    if (previous != null && (previous.equals(hash) || previousEnd <= now.toEpochMilli())) {
      if (!previous.equals(hash)) {
        revoke(previous, key);
      }
      previous = null;
    }
    writer.put(RedisKeys.apiKey(hash), record, new ConfigChange(ConfigChange.API_KEY, hash));
    if (previous != null) {
      writer.put(RedisKeys.apiKey(previous), ApiKeyProjection.superseded(record, previousEnd), new ConfigChange(ConfigChange.API_KEY, previous));
    }

    status.setKeyId(hash);
    status.setKeyPrefix(ApiKeys.displayPrefix(rawKey));
    status.setSecretName(secretName);
    status.setRotationGeneration(wantedRotation);
    status.setPreviousKeyId(previous);
    status.setPreviousKeyPrefix(previous == null ? null : previousPrefix);
    // Millisecond precision: the status is where the end of the overlap is remembered.
    status.setPreviousKeyExpiresAt(previous == null ? null : Instant.ofEpochMilli(previousEnd).toString());
    TenantId tenantId = new TenantId(ns, tenant.getMetadata().getName());
    status.setMonthToDate(MonthTotals.usage(MonthTotals.read(writer, tenantId, now),
        f -> CounterFields.perKey(record.keyName(), f), TenantProjection.currency(tenant), now));

    Outcome outcome = readiness(record, tenant, now);
    if (previous != null) {
      outcome = outcome.requeueAfter(Duration.ofMillis(previousEnd - now.toEpochMilli() + 1));
    }
    if (record.notAfterMs() > now.toEpochMilli()) {
      outcome = outcome.requeueAfter(Duration.ofMillis(record.notAfterMs() - now.toEpochMilli() + 1));
    }
    return outcome;
  }

  private static Outcome readiness(ApiKeyRecord record, Tenant tenant, Instant now) {
    if (ApiKeyRecord.SUSPENDED.equals(record.state())) {
      return Outcome.inactive("Suspended", "key is suspended: requests with it are refused");
    }
    if (record.notAfterMs() != 0 && now.toEpochMilli() >= record.notAfterMs()) {
      return Outcome.inactive("Expired", "key expired at " + Conditions.format(Instant.ofEpochMilli(record.notAfterMs())));
    }
    if (tenant.getSpec() != null && tenant.getSpec().getState() == TenantSpec.State.Suspended) {
      return Outcome.inactive("TenantSuspended", "tenant " + tenant.getMetadata().getName() + " is suspended");
    }
    return Outcome.ready("key written to Redis");
  }

  @Override
  protected void withdrawWhileBlocked(ApiKey key, ApiKeyStatus status, Problem problem) {
    ApiKeySpec spec = key.getSpec();
    if (spec == null) {
      return;
    }
    Set<String> hashes = new LinkedHashSet<>();
    if (status.getKeyId() != null) {
      hashes.add(status.getKeyId());
    }
    if (status.getPreviousKeyId() != null) {
      hashes.add(status.getPreviousKeyId());
    }
    if (spec.getImportFrom() != null && Problem.SECRET_NOT_FOUND.equals(problem.reason())) {
      // the imported Secret (or its value) is gone: as a lost Secret ends a generated key, nobody may
      // hold the key any more; the Secret restored with the same value restores it
      hashes.forEach(hash -> revoke(hash, key));
      return;
    }
    boolean suspend = spec.getState() == ApiKeySpec.State.Suspended;
    long expiry;
    try {
      expiry = ApiKeyProjection.notAfterMs(spec);
    } catch (ProblemException e) {
      expiry = 0; // an unreadable expiry is the problem being reported; nothing to apply
    }
    if (!suspend && expiry == 0) {
      return;
    }
    for (String hash : hashes) {
      ApiKeyRecord stored = writer.get(RedisKeys.apiKey(hash), ApiKeyRecord.class);
      if (stored != null && belongsTo(stored, key)) {
        writer.put(RedisKeys.apiKey(hash), ApiKeyProjection.withdrawn(stored, suspend, expiry),
            new ConfigChange(ConfigChange.API_KEY, hash));
      }
    }
  }

  /** True if a stored key record was projected from this ApiKey (names are unique per namespace). */
  static boolean belongsTo(ApiKeyRecord record, ApiKey key) {
    return key.getMetadata().getName().equals(record.keyName()) && namespace(key).equals(recordNamespace(record));
  }

  /** The namespace of the ApiKey a record was projected from; null if its tenant id is unreadable. */
  private static String recordNamespace(ApiKeyRecord record) {
    try {
      return record.tenant() == null ? null : record.tenantId().namespace();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * A key hash belongs to one ApiKey, whichever namespace or tenant: a second ApiKey with the same
   * value (imported twice, copied across namespaces, a Secret edited by hand) would otherwise re-point
   * the key to its own tenant, revive it after its owner's suspension, and revoke it when deleted.
   * An existing claim (another ApiKey's status, or the Redis record of another ApiKey that still
   * exists) wins over a new one; when both already claim it (a race, or state from before this check)
   * the older ApiKey wins. The loser is reported KeyConflict and writes nothing.
   */
  private void requireUnclaimed(ApiKey key, String hash, ApiKeyStatus status, Context<ApiKey> context) {
    boolean ours = claimedHashes(key).contains(hash);
    Set<ApiKey> claimants = new LinkedHashSet<>(context.getPrimaryCache().byIndex(KEY_HASH_INDEX, hash));
    ApiKeyRecord stored = writer.get(RedisKeys.apiKey(hash), ApiKeyRecord.class);
    String storedNamespace = stored == null ? null : recordNamespace(stored);
    if (storedNamespace != null && stored.keyName() != null) {
      context.getPrimaryCache().get(new ResourceID(stored.keyName(), storedNamespace)).ifPresent(claimants::add);
    }
    for (ApiKey other : claimants) {
      if (sameObject(other, key) || (ours && !olderThan(other, key))) {
        continue;
      }
      String who = namespace(other).equals(namespace(key))
          ? "ApiKey " + other.getMetadata().getName() : "an ApiKey in another namespace";
      String source = key.getSpec().getImportFrom() != null
          ? "the key imported from Secret " + key.getSpec().getImportFrom().getName()
          : "the key in Secret " + ApiKeyProjection.secretName(key);
      throw new Problem(KEY_CONFLICT, source + " is already the key of " + who
          + ": one key value can belong to one ApiKey only").exception();
    }
  }

  /** The key hashes an ApiKey's status claims. */
  private static List<String> claimedHashes(ApiKey key) {
    ApiKeyStatus s = key.getStatus();
    if (s == null) {
      return List.of();
    }
    List<String> out = new java.util.ArrayList<>(2);
    if (s.getKeyId() != null) {
      out.add(s.getKeyId());
    }
    if (s.getPreviousKeyId() != null && !s.getPreviousKeyId().equals(s.getKeyId())) {
      out.add(s.getPreviousKeyId());
    }
    return out;
  }

  private static boolean sameObject(ApiKey a, ApiKey b) {
    return namespace(a).equals(namespace(b)) && a.getMetadata().getName().equals(b.getMetadata().getName());
  }

  /** Creation order, then uid, then namespace/name: a total order every replica agrees on. */
  private static boolean olderThan(ApiKey a, ApiKey b) {
    java.util.Comparator<ApiKey> order = java.util.Comparator
        .comparing((ApiKey k) -> Objects.toString(k.getMetadata().getCreationTimestamp(), ""))
        .thenComparing(k -> Objects.toString(k.getMetadata().getUid(), ""))
        .thenComparing(k -> namespace(k) + "/" + k.getMetadata().getName());
    return order.compare(a, b) < 0;
  }

  /** Deletes the record of {@code hash} if it is this ApiKey's: never another ApiKey's with the same value. */
  private void revoke(String hash, ApiKey key) {
    ApiKeyRecord stored = writer.get(RedisKeys.apiKey(hash), ApiKeyRecord.class); // null: absent or unreadable
    if (stored != null && !belongsTo(stored, key)) {
      return;
    }
    writer.delete(RedisKeys.apiKey(hash), new ConfigChange(ConfigChange.API_KEY, hash));
  }

  private static void writeSecret(KubernetesClient client, ApiKey key, String name, String rawKey, long rotation, Secret existing) {
    Secret desired = new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace(key))
        .addToLabels("app.kubernetes.io/managed-by", "tollgate-operator")
        .addToLabels("tollgate.dev/apikey", key.getMetadata().getName())
        .addToAnnotations(ROTATION_ANNOTATION, Long.toString(rotation))
        .withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion(key.getApiVersion())
            .withKind(key.getKind())
            .withName(key.getMetadata().getName())
            .withUid(key.getMetadata().getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .build())
        .endMetadata()
        .withType("Opaque")
        .withData(Map.of(SECRET_KEY, Base64.getEncoder().encodeToString(rawKey.getBytes(StandardCharsets.UTF_8))))
        .build();
    if (existing != null) {
      // Optimistic locking: a concurrent change fails with 409 and the reconcile is retried.
      desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      client.secrets().inNamespace(namespace(key)).resource(desired).update();
    } else {
      client.secrets().inNamespace(namespace(key)).resource(desired).create();
    }
  }

  private static boolean ownedBy(Secret secret, ApiKey key) {
    return secret.getMetadata().getOwnerReferences() != null && secret.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> Objects.equals(o.getUid(), key.getMetadata().getUid()));
  }

  private static long rotationOf(Secret secret) {
    Map<String, String> a = secret.getMetadata().getAnnotations();
    try {
      return a == null || a.get(ROTATION_ANNOTATION) == null ? 0 : Long.parseLong(a.get(ROTATION_ANNOTATION));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public DeleteControl cleanup(ApiKey key, Context<ApiKey> context) {
    Set<String> hashes = new LinkedHashSet<>();
    ApiKeyStatus status = key.getStatus();
    if (status != null) {
      if (status.getKeyId() != null) {
        hashes.add(status.getKeyId());
      }
      if (status.getPreviousKeyId() != null) {
        hashes.add(status.getPreviousKeyId());
      }
    }
    String ns = namespace(key);
    Secret secret = context.getClient().secrets().inNamespace(ns).withName(ApiKeyProjection.secretName(key)).get();
    if (secret != null && ownedBy(secret, key)) {
      String raw = References.value(secret, SECRET_KEY);
      if (raw != null) {
        hashes.add(ApiKeys.sha256Hex(raw));
      }
    }
    hashes.forEach(h -> revoke(h, key));
    if (secret != null && ownedBy(secret, key)) {
      // Garbage collection would do it on a real cluster; local mode has none.
      context.getClient().secrets().inNamespace(ns).withName(secret.getMetadata().getName()).delete();
    }
    return DeleteControl.defaultDelete();
  }

  private static String tenantName(ApiKey key) {
    return key.getSpec() == null || key.getSpec().getTenantRef() == null ? null : key.getSpec().getTenantRef().getName();
  }

  @Override
  protected boolean hasReferences() {
    return true;
  }

  @Override
  protected ApiKeyStatus newStatus() {
    return new ApiKeyStatus();
  }
}
