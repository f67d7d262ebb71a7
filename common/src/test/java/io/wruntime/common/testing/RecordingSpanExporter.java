package io.wruntime.common.testing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A span exporter for tests that keeps every exported span in memory. */
public final class RecordingSpanExporter implements SpanExporter {
  private final List<SpanData> spans = new CopyOnWriteArrayList<>();

  @Override
  public CompletableResultCode export(Collection<SpanData> batch) {
    spans.addAll(batch);
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }

  /** The spans exported so far, in the order they ended. */
  public List<SpanData> spans() {
    return List.copyOf(spans);
  }

  /** The exported spans called {@code name}, in the order they ended. */
  public List<SpanData> named(String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).toList();
  }
}
