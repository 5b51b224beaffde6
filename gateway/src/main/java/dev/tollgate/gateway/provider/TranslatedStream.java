package dev.tollgate.gateway.provider;


/**
 * State every stream translator keeps: the OpenAI chunk writer (which also keeps the output text),
 * whether the upstream ended normally, and an error event if one came.
 */
public abstract class TranslatedStream implements StreamTranslator {

  protected final OpenAiChunks chunks;
  protected boolean finished;
  protected UpstreamError error;

  protected TranslatedStream(String model) {
    this.chunks = new OpenAiChunks(model);
  }

  @Override
  public String outputText() {
    return chunks.outputText();
  }

  @Override
  public boolean finished() {
    return finished;
  }

  @Override
  public UpstreamError error() {
    return error;
  }
}
