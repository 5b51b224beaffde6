package dev.tollgate.gateway.provider;


/**
 * A stream translated into OpenAI chat chunks: the chunk writer also keeps the output text.
 */
public abstract class TranslatedStream extends StreamState {

  protected final OpenAiChunks chunks;

  protected TranslatedStream(String model) {
    this.chunks = new OpenAiChunks(model);
  }

  @Override
  public String outputText() {
    return chunks.outputText();
  }
}
