package io.wruntime.engine.config;

/**
 * Per-request caps on host resources ({@code [limits]}): open tracing spans, database transactions
 * and cursors, LLM streams, open blob objects ({@code blob_objects}), and the outgoing HTTP calls
 * one request may have in flight at once ({@code outgoing_calls}) and make over its whole life
 * ({@code outgoing_calls_total}).
 */
public record LimitsConfig(
    int spans,
    int transactions,
    int cursors,
    int llmStreams,
    int outgoingCalls,
    int outgoingCallsTotal,
    int blobObjects) {
  public static final int DEFAULT_OUTGOING_CALLS = 64;
  public static final int DEFAULT_BLOB_OBJECTS = 64;

  /** With the default {@code blob_objects}. */
  public LimitsConfig(
      int spans,
      int transactions,
      int cursors,
      int llmStreams,
      int outgoingCalls,
      int outgoingCallsTotal) {
    this(
        spans,
        transactions,
        cursors,
        llmStreams,
        outgoingCalls,
        outgoingCallsTotal,
        DEFAULT_BLOB_OBJECTS);
  }

  public static final int DEFAULT_OUTGOING_CALLS_TOTAL = 1000;

  public LimitsConfig {
    if (blobObjects < 1) {
      throw new IllegalArgumentException("blobObjects: " + blobObjects + " (expected: >= 1)");
    }
    if (outgoingCalls < 1) {
      throw new IllegalArgumentException("outgoingCalls: " + outgoingCalls + " (expected: >= 1)");
    }
    if (outgoingCallsTotal < outgoingCalls) {
      throw new IllegalArgumentException(
          "outgoingCallsTotal: "
              + outgoingCallsTotal
              + " (expected: >= outgoingCalls = "
              + outgoingCalls
              + ")");
    }
  }

  public static LimitsConfig defaults() {
    return new LimitsConfig(
        1024, 64, 256, 32, DEFAULT_OUTGOING_CALLS, DEFAULT_OUTGOING_CALLS_TOTAL);
  }
}
