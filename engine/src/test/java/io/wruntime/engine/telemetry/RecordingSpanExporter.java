package io.wruntime.engine.telemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every exported span in memory. */
final class RecordingSpanExporter implements SpanExporter {
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
  List<SpanData> spans() {
    return List.copyOf(spans);
  }

  /** The exported span of {@code module} ({@code wr.module}), or null. */
  SpanData of(String module) {
    return spans.stream()
        .filter(s -> module.equals(s.getAttributes().get(DispatchTracing.MODULE)))
        .findFirst()
        .orElse(null);
  }
}
