package dev.tollgate.gateway.store;

import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which provider entry holds a Responses API answer the provider stored, per tenant ({@link
 * RedisKeys#storedResponse}, ADR 0050): written before the answer's id reaches the client, read by
 * {@code previous_response_id} and {@code /v1/responses/<id>}. Only ids and routing, never a prompt
 * or an answer. One command each; not on the path of any other request.
 */
public final class ResponseStore {

  /**
   * How long a mapping lives: OpenAI keeps a stored response 30 days. A response the provider keeps
   * longer is no longer reachable through the gateway after this (its follow-ups get
   * {@code previous_response_not_found}, as if it had expired at the provider).
   */
  public static final Duration RETENTION = Duration.ofDays(30);

  /** The ids providers give (OpenAI: {@code resp_<hex>}): what {@link RedisKeys#storedResponse} accepts. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");

  private final RedisStore redis;

  public ResponseStore(RedisStore redis) {
    this.redis = redis;
  }

  /**
   * Where a stored response lives: the route policy and its provider entry (whose account holds the
   * state), and the upstream model that produced it; and {@code tokens}, the size of the conversation
   * a follow-up makes the provider replay as input: the response's input and output tokens as the
   * provider reported them, or a bound on them (its prompt estimate and output ceiling) until it
   * did. 0 for a mapping written before the size was kept.
   */
  public record Pin(String policy, String provider, String model, long tokens) {

    String encode() {
      return new JsonObject().put("policy", policy).put("provider", provider).put("model", model).put("tokens", tokens)
          .encode();
    }

    static Optional<Pin> decode(String json) {
      try {
        JsonObject o = new JsonObject(json);
        long tokens = o.getValue("tokens") instanceof Number n ? Math.max(0, n.longValue()) : 0;
        return o.getValue("policy") instanceof String p && o.getValue("provider") instanceof String v
            ? Optional.of(new Pin(p, v, o.getString("model"), tokens)) : Optional.empty();
      } catch (DecodeException | ClassCastException e) {
        return Optional.empty();
      }
    }
  }

  /** True if {@code id} has the shape of a provider's response id (and can be a key). */
  public static boolean validId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** Remembers where {@code responseId} is stored, for {@link #RETENTION}. */
  public Future<Void> remember(TenantId tenant, String responseId, Pin pin) {
    return redis.send(Request.cmd(Command.SET).arg(RedisKeys.storedResponse(tenant, responseId)).arg(pin.encode())
        .arg("EX").arg(RETENTION.toSeconds())).mapEmpty();
  }

  /** Where {@code responseId} is stored, if this tenant stored it (another tenant's id is simply not there). */
  public Future<Optional<Pin>> lookup(TenantId tenant, String responseId) {
    return redis.send(Request.cmd(Command.GET).arg(RedisKeys.storedResponse(tenant, responseId)))
        .map(r -> r == null ? Optional.empty() : Pin.decode(r.toString()));
  }

  /** Forgets {@code responseId} (the provider deleted it). */
  public Future<Void> forget(TenantId tenant, String responseId) {
    return redis.send(Request.cmd(Command.DEL).arg(RedisKeys.storedResponse(tenant, responseId))).mapEmpty();
  }
}
