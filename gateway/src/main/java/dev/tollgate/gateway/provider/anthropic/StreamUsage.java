package dev.tollgate.gateway.provider.anthropic;

import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonObject;

/**
 * The usage an Anthropic stream reports: the prompt side (input, cache reads and writes) in {@code
 * message_start}, the cumulative output and the server tool's web searches in {@code
 * message_delta}. Until {@code message_delta} the usage is partial (the prompt side, and {@code
 * message_start}'s output count as a floor), so a cut stream bills the prompt exactly and counts its
 * output, and its searches are the search results streamed so far.
 */
final class StreamUsage {

  private JsonObject raw = new JsonObject();
  private boolean complete;
  private long searchesSeen;

  /** A {@code content_block_start} event's block: a search result counts as a search. */
  void block(JsonObject block) {
    if (AnthropicAdapter.billedSearch(block)) {
      searchesSeen++;
    }
  }

  /** A {@code message_start} event's data. */
  void started(JsonObject data) {
    JsonObject usage = data.getJsonObject("message", new JsonObject()).getJsonObject("usage");
    if (usage != null) {
      raw = usage.copy();
    }
  }

  /** A {@code message_delta} event's data. */
  void delta(JsonObject data) {
    JsonObject usage = data.getJsonObject("usage");
    if (usage != null) {
      // Figures here are cumulative; newer API versions repeat the input counts too. Every field but
      // output_tokens is nullable (MessageDeltaUsage): a null keeps message_start's figure, as
      // Anthropic's SDKs do, instead of wiping the prompt to nothing.
      usage.forEach(e -> {
        if (e.getValue() != null) {
          raw.put(e.getKey(), e.getValue());
        }
      });
      complete = true;
    }
  }

  Usage usage() {
    Usage u = AnthropicAdapter.usageOf(raw, complete);
    if (complete) {
      return u;
    }
    Usage partial = raw.getValue("input_tokens") instanceof Number ? u.partial() : Usage.NONE;
    return partial.withWebSearchCalls(Math.max(partial.webSearchCalls(), searchesSeen));
  }
}
