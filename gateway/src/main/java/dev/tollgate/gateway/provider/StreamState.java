package dev.tollgate.gateway.provider;

/** What every stream translator tracks: whether the upstream ended normally, and its error event if one came. */
public abstract class StreamState implements StreamTranslator {

  protected boolean finished;
  protected UpstreamError error;

  @Override
  public boolean finished() {
    return finished;
  }

  @Override
  public UpstreamError error() {
    return error;
  }
}
