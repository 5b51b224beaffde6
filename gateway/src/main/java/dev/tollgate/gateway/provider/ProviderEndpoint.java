package dev.tollgate.gateway.provider;

import java.util.Map;

/**
 * Where and as whom to call a provider. {@code credential} is the opened API key (for {@code
 * vertex-ai}: the access token minted from the service-account key); it must never be logged (see
 * {@link #toString()}). {@code project} and {@code location} are set for {@code vertex-ai} only.
 */
public record ProviderEndpoint(
    String name,
    String type,
    String baseUrl,
    String apiVersion,
    String credential,
    Map<String, String> headers,
    String project,
    String location) {

  public ProviderEndpoint {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  /** An endpoint that is not on Vertex AI. */
  public ProviderEndpoint(
      String name, String type, String baseUrl, String apiVersion, String credential, Map<String, String> headers) {
    this(name, type, baseUrl, apiVersion, credential, headers, null, null);
  }

  @Override
  public String toString() {
    return "ProviderEndpoint[" + name + " " + type + " " + baseUrl + "]";
  }
}
