package dev.tollgate.gateway.provider.vertex;

import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.ProviderAdapter;
import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A Vertex AI stream: Gemini's chunks, or Anthropic's events for a Claude model, handed to that
 * provider's translator. The first event tells them apart: Anthropic's carry an {@code event:} name
 * and a {@code type} ({@code message_start}, or {@code error}); Gemini's are bare {@code data:}
 * chunks without one.
 */
final class VertexStream implements StreamTranslator {

  private final String requestedModel;
  private final ProviderAdapter gemini;
  private final ProviderAdapter claude;
  private StreamTranslator delegate;

  VertexStream(String requestedModel, ProviderAdapter gemini, ProviderAdapter claude) {
    this.requestedModel = requestedModel;
    this.gemini = gemini;
    this.claude = claude;
  }

  @Override
  public List<String> onEvent(SseEvent event) {
    if (delegate == null) {
      JsonObject data = OpenAiWire.parseObjectOrNull(event.data());
      boolean anthropic = event.event() != null || data != null && data.getValue("type") instanceof String;
      delegate = (anthropic ? claude : gemini).streamTranslator(requestedModel);
    }
    return delegate.onEvent(event);
  }

  @Override
  public String frame(String payload) {
    return delegate == null ? StreamTranslator.super.frame(payload) : delegate.frame(payload);
  }

  @Override
  public String endFrame() {
    return delegate == null ? StreamTranslator.super.endFrame() : delegate.endFrame();
  }

  @Override
  public String errorFrame(JsonObject envelope) {
    return delegate == null ? StreamTranslator.super.errorFrame(envelope) : delegate.errorFrame(envelope);
  }

  @Override
  public Usage usage() {
    return delegate == null ? Usage.NONE : delegate.usage();
  }

  @Override
  public String outputText() {
    return delegate == null ? "" : delegate.outputText();
  }

  @Override
  public boolean finished() {
    return delegate != null && delegate.finished();
  }

  @Override
  public UpstreamError error() {
    return delegate == null ? null : delegate.error();
  }
}
