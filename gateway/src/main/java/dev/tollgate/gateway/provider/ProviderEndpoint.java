package dev.tollgate.gateway.provider;

import java.util.Map;

/**
 * Where and as whom to call a provider. {@code credential} is the opened API key; it must never be
 * logged (see {@link #toString()}).
 */
public record ProviderEndpoint(
    String name, String type, String baseUrl, String apiVersion, String credential, Map<String, String> headers) {

  public ProviderEndpoint {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  @Override
  public String toString() {
    return "ProviderEndpoint[" + name + " " + type + " " + baseUrl + "]";
  }
}
