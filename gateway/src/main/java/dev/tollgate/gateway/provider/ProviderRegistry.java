package dev.tollgate.gateway.provider;

import dev.tollgate.gateway.provider.anthropic.AnthropicAdapter;
import dev.tollgate.gateway.provider.azure.AzureOpenAiAdapter;
import dev.tollgate.gateway.provider.gemini.GeminiAdapter;
import dev.tollgate.gateway.provider.openai.OpenAiAdapter;
import dev.tollgate.gateway.provider.vertex.VertexAiAdapter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Provider adapters by RoutePlan provider {@code type}. */
public final class ProviderRegistry {

  private final Map<String, ProviderAdapter> byType = new HashMap<>();

  public ProviderRegistry(List<ProviderAdapter> adapters) {
    for (ProviderAdapter a : adapters) {
      for (String t : a.types()) {
        if (byType.put(t, a) != null) {
          throw new IllegalStateException("two adapters for provider type " + t);
        }
      }
    }
  }

  /** Every adapter the gateway ships. */
  public static ProviderRegistry defaults() {
    return new ProviderRegistry(List.of(new OpenAiAdapter(), new AzureOpenAiAdapter(), new AnthropicAdapter(), new GeminiAdapter(),
        new VertexAiAdapter()));
  }

  /** The adapter for {@code type}, or null. */
  public ProviderAdapter get(String type) {
    return byType.get(type);
  }
}
