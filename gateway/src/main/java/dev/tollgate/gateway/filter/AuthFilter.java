package dev.tollgate.gateway.filter;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.store.ConfigReader;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.TenantRecord;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates {@code Authorization: Bearer <key>} (on {@code /v1/messages/*} also {@code x-api-key:
 * <key>}, as Anthropic SDKs send it; on the Gemini API's paths also {@code x-goog-api-key: <key>} or
 * {@code ?key=<key>}, as Google's clients send it) by the key's SHA-256 against the operator's projection (cached;
 * no Redis round trip when warm). The raw key never leaves this method.
 */
public final class AuthFilter implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(AuthFilter.class);

  private final ConfigReader config;

  public AuthFilter(ConfigReader config) {
    this.config = config;
  }

  @Override
  public void handle(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    String raw = req.endpoint().anthropic() ? apiKeyHeader(ctx.request().getHeader("x-api-key"))
        : req.endpoint().google() ? googleKey(ctx) : null;
    if (raw == null) {
      raw = bearer(ctx.request().getHeader("authorization"));
    }
    if (raw == null) {
      ctx.fail(GatewayError.invalidApiKey());
      return;
    }
    String hash = ApiKeys.sha256Hex(raw);
    String prefix = ApiKeys.displayPrefix(raw);
    config.apiKey(hash).compose(found -> {
      if (found.isEmpty()) {
        throw GatewayError.invalidApiKey();
      }
      ApiKeyRecord key = found.get();
      if (!ApiKeyRecord.ACTIVE.equals(key.state())) {
        throw GatewayError.apiKeyRevoked();
      }
      if (!key.usableAt(System.currentTimeMillis())) {
        throw GatewayError.apiKeyExpired();
      }
      return config.tenant(key.tenantId()).map(tenant -> {
        if (tenant.isEmpty()) {
          LOG.warn("API key {} names tenant {} which has no record", key.keyName(), key.tenant());
          throw GatewayError.invalidApiKey();
        }
        if (!TenantRecord.ACTIVE.equals(tenant.get().state())) {
          throw GatewayError.tenantSuspended();
        }
        req.authenticated(key, tenant.get(), prefix);
        return null;
      });
    }).onSuccess(v -> ctx.next()).onFailure(ctx::fail);
  }

  /** Google's clients send the key as {@code x-goog-api-key}, or as the {@code key} query parameter. */
  private static String googleKey(RoutingContext ctx) {
    String header = apiKeyHeader(ctx.request().getHeader("x-goog-api-key"));
    return header != null ? header : apiKeyHeader(ctx.request().getParam("key"));
  }

  private static String apiKeyHeader(String header) {
    return header == null || header.isBlank() ? null : header.trim();
  }

  static String bearer(String header) {
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String key = header.substring(7).trim();
    return key.isEmpty() ? null : key;
  }
}
