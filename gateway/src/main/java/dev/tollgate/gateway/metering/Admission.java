package dev.tollgate.gateway.metering;

import dev.tollgate.schema.TenantId;
import java.util.List;

/**
 * An admitted request's footprint in Redis, kept until settle: which counters and cap limits it was
 * charged against and how much, with the keys settle touches (built once, at admission).
 *
 * @param tenant the tenant (every key below carries its hash tag)
 * @param reservationId the request id
 * @param reservationsKey the tenant's reservations HASH, {@code leasesKey} its lease ZSET
 * @param usageKey the tenant's usage STREAM
 * @param totalsKey totals HASH of the month the request was admitted in
 * @param keyTokensWindow the key's TPM window, {@code tenantTokensWindow} the tenant's
 * @param tokensCharged tokens counted against TPM at admission (prompt estimate + max output)
 * @param reservedMicros worst-case cap basis reserved on each of {@code spendKeys}
 * @param spendKeys spend HASH keys, in script order
 * @param spendTtlSeconds TTL of each spend key (same order)
 * @param leaseEndMillis when the reservation's lease ends (after it, an admission may release it)
 * @param admittedMillis the instant every period key above was taken at (the month totals, the cap
 *     periods): the usage record's {@code ts}, so that an export by month agrees with the totals
 */
public record Admission(
    TenantId tenant,
    String reservationId,
    String reservationsKey,
    String leasesKey,
    String usageKey,
    String totalsKey,
    String keyTokensWindow,
    String tenantTokensWindow,
    long tokensCharged,
    long reservedMicros,
    List<String> spendKeys,
    long[] spendTtlSeconds,
    long leaseEndMillis,
    long admittedMillis) {}
