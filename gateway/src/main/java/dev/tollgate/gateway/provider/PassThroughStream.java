package dev.tollgate.gateway.provider;

/**
 * State of a stream passed through in the client's own wire format (Responses API, Anthropic
 * Messages): payloads are whole SSE events, the upstream's last event already ends the stream (no
 * end frame), and the text deltas seen are kept to count when the provider's usage never comes.
 */
public abstract class PassThroughStream extends StreamState {

  protected final StringBuilder output = new StringBuilder();

  /** Payloads are whole events ({@code event:} and {@code data:} lines). */
  @Override
  public String frame(String payload) {
    return payload + "\n\n";
  }

  /** The upstream's terminal event already ended the stream. */
  @Override
  public String endFrame() {
    return "";
  }

  @Override
  public String outputText() {
    return output.toString();
  }
}
