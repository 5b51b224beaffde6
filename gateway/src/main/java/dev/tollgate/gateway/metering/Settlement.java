package dev.tollgate.gateway.metering;

import java.util.List;

/**
 * One request's settlement as {@code settle.lua} takes it, as plain data: what a stopping gateway
 * writes to its spool when Redis cannot take it, and what the next start replays (ADR 0045). Holds
 * the usage record and the key's resource name, never a client key or a prompt.
 *
 * @param admission what the request was charged and reserved at admission
 * @param keyName the API key's resource name (the month totals keep per-key fields)
 * @param capBasisMicros actual cap-basis cost, added to every spend key's {@code spent}
 * @param tpmCorrection actual tokens minus the tokens charged to TPM at admission
 * @param tokensIn prompt tokens, {@code tokensOut} output tokens
 * @param costMicros provider cost, {@code billedMicros} what the tenant is billed
 * @param record the usage record's values, in {@code UsageFields} order
 */
public record Settlement(
    Admission admission,
    String keyName,
    long capBasisMicros,
    long tpmCorrection,
    long tokensIn,
    long tokensOut,
    long costMicros,
    long billedMicros,
    List<String> record) {}
