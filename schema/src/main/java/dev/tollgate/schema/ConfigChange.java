package dev.tollgate.schema;

/**
 * The message published on {@link RedisKeys#CONFIG_CHANNEL} after the operator changed config:
 * {@code <kind> <id>}, e.g. {@code ApiKey 3f2a...(sha256)}, {@code Tenant acme/globex}, {@code
 * SpendCap acme/globex}, {@code RoutePolicy acme/default}. Gateways drop the matching cache
 * entries at once (and, being conservative, may drop everything).
 */
public record ConfigChange(String kind, String id) {

  public static final String API_KEY = "ApiKey";
  public static final String TENANT = "Tenant";
  public static final String SPEND_CAP = "SpendCap";
  public static final String ROUTE_POLICY = "RoutePolicy";

  public String encode() {
    return kind + " " + id;
  }

  public static ConfigChange decode(String message) {
    int sp = message == null ? -1 : message.indexOf(' ');
    if (sp <= 0) {
      throw new IllegalArgumentException("config change message must be '<kind> <id>'");
    }
    return new ConfigChange(message.substring(0, sp), message.substring(sp + 1));
  }
}
