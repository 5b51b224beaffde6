package dev.tollgate.gateway.metering;

import dev.tollgate.schema.TenantId;
import java.util.List;

/**
 * An admitted request's footprint in Redis, kept until settle: which counters and cap limits it was
 * charged against and how much.
 *
 * @param tenant the tenant (every key below carries its hash tag)
 * @param reservationId the request id
 * @param monthKey month the request started in (totals are added there)
 * @param keyTokensWindow the key's TPM window, {@code tenantTokensWindow} the tenant's
 * @param tokensCharged tokens counted against TPM at admission (prompt estimate + max output)
 * @param reservedMicros worst-case cap basis reserved on each of {@code spendKeys}
 * @param spendKeys spend HASH keys, in script order
 * @param spendTtlSeconds TTL of each spend key
 */
public record Admission(
    TenantId tenant,
    String reservationId,
    String monthKey,
    String keyTokensWindow,
    String tenantTokensWindow,
    long tokensCharged,
    long reservedMicros,
    List<String> spendKeys,
    List<Long> spendTtlSeconds) {}
