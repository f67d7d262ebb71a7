package io.wruntime.engine.http;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.List;

/** A {@link BodySource} that passes every call to another; subclasses override what they watch. */
public abstract class ForwardingBodySource implements BodySource {
  protected final BodySource delegate;

  protected ForwardingBodySource(BodySource delegate) {
    this.delegate = requireNonNull(delegate, "delegate");
  }

  @Override
  public byte[] read(int max) throws IOException {
    return delegate.read(max);
  }

  @Override
  public void awaitReadable() throws InterruptedException {
    delegate.awaitReadable();
  }

  @Override
  public boolean isReadable() {
    return delegate.isReadable();
  }

  @Override
  public List<Field> trailers() {
    return delegate.trailers();
  }

  @Override
  public void discard() {
    delegate.discard();
  }

  @Override
  public void addListener(Runnable listener) {
    delegate.addListener(listener);
  }
}
