package dev.tollgate.gateway.metering;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.store.ConfigReader;
import dev.tollgate.gateway.store.RedisStore;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.CapDefinition;
import dev.tollgate.schema.CounterFields;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.TenantRecord;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/tollgate/usage}: what the calling key may still spend and what it used this month,
 * so an agency's clients need not ask the agency. Shows every cap limit admission reserves this key
 * against ({@link SpendLedger#counts}) with its spend HASH, and the key's fields of the month totals,
 * all read in one pipelined round trip on the tenant's slot. Read-only: no rate-limit count, nothing
 * reserved or recorded. Never shows the key nor its hash, only its display prefix.
 */
public final class UsageHandler implements Handler<RoutingContext> {

  private static final String[] TOTALS = {
      CounterFields.REQUESTS, CounterFields.TOKENS_IN, CounterFields.TOKENS_OUT, CounterFields.BILLED_MICROS};

  private final ConfigReader config;
  private final RedisStore redis;

  public UsageHandler(ConfigReader config, RedisStore redis) {
    this.config = config;
    this.redis = redis;
  }

  /** One cap limit shown to the key, with its spend HASH for the current period. */
  private record Shown(CapDefinition cap, CapDefinition.Limit limit, String spendKey) {}

  @Override
  public void handle(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    ApiKeyRecord key = req.apiKey();
    TenantRecord tenant = req.tenant();
    TenantId tenantId = tenant.tenantId();
    // truncated to the second: the answer's "as_of" and the periods are computed from the same instant
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    config.caps(tenantId).compose(caps -> {
      List<Shown> shown = new ArrayList<>();
      List<Request> reads = new ArrayList<>();
      for (CapDefinition cap : caps) {
        if (!SpendLedger.counts(cap, key.keyName())) {
          continue;
        }
        for (CapDefinition.Limit limit : cap.limits()) {
          String spendKey = RedisKeys.spend(tenantId, cap.name(), limit.period().key(now));
          shown.add(new Shown(cap, limit, spendKey));
          reads.add(Request.cmd(Command.HMGET).arg(spendKey).arg(CounterFields.SPENT).arg(CounterFields.RESERVED));
        }
      }
      Request totals = Request.cmd(Command.HMGET).arg(RedisKeys.totals(tenantId, Period.Month.key(now)));
      for (String field : TOTALS) {
        totals.arg(CounterFields.perKey(key.keyName(), field));
      }
      reads.add(totals);
      return redis.batch(reads).map(answers -> render(req, now, shown, answers));
    }).onSuccess(body -> ctx.response()
            .putHeader("content-type", "application/json")
            .putHeader("cache-control", "no-store")
            .end(body.toBuffer()))
        .onFailure(ctx::fail);
  }

  private static JsonObject render(GatewayRequest req, Instant now, List<Shown> shown, List<Response> answers) {
    ApiKeyRecord key = req.apiKey();
    TenantRecord tenant = req.tenant();
    String tenantCurrency = tenant.pricing().currency();
    JsonArray caps = new JsonArray();
    for (int i = 0; i < shown.size(); i++) {
      Shown s = shown.get(i);
      Response spend = answers.get(i);
      long spent = count(spend, 0);
      long reserved = count(spend, 1);
      long limit = s.limit().limitMicros();
      Period p = s.limit().period();
      Instant reset = p.resets() ? p.reset(now) : null; // a Total period never resets
      caps.add(new JsonObject()
          .put("cap", s.cap().name())
          .put("scope", s.cap().scope())
          .put("action", s.cap().action())
          .put("period", p.name())
          .put("limit", Money.format(limit))
          .put("spent", Money.format(spent))
          .put("reserved", Money.format(reserved))
          // what a new request can still reserve (admission refuses beyond spent + reserved = limit)
          .put("remaining", Money.format(Math.max(0, limit - spent - reserved)))
          .put("currency", s.cap().currency() != null ? s.cap().currency() : tenantCurrency)
          // null for a period that never resets (a lifetime budget): the field stays, so the shape does
          .put("resets_at", reset == null ? null : reset.toString()));
    }
    Response totals = answers.get(shown.size());
    return new JsonObject()
        .put("object", "tollgate.usage")
        .put("as_of", now.toString())
        .put("key", new JsonObject().put("name", key.keyName()).put("prefix", req.keyPrefix()))
        .put("tenant", tenant.tenant())
        .put("caps", caps)
        .put("month_to_date", new JsonObject()
            .put("month", YearMonth.from(now.atZone(ZoneOffset.UTC)).toString())
            .put("since", Period.Month.start(now).toString())
            .put("requests", count(totals, 0))
            .put("tokens_in", count(totals, 1))
            .put("tokens_out", count(totals, 2))
            .put("billed", Money.format(count(totals, 3)))
            .put("currency", tenantCurrency))
        .put("rate_limits", new JsonObject()
            .put("key", limits(key.requestsPerMinute(), key.tokensPerMinute()))
            .put("tenant", limits(tenant.requestsPerMinute(), tenant.tokensPerMinute())));
  }

  /** 0 (no limit) is shown as null. */
  private static JsonObject limits(long rpm, long tpm) {
    return new JsonObject()
        .put("requests_per_minute", rpm > 0 ? rpm : null)
        .put("tokens_per_minute", tpm > 0 ? tpm : null);
  }

  /** The i-th value of an HMGET answer as a long; absent (no spend or request yet) is 0. */
  private static long count(Response hmget, int i) {
    Response v = hmget == null ? null : hmget.get(i);
    return v == null ? 0 : v.toLong();
  }
}
