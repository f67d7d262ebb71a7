package io.wruntime.engine.config;

/**
 * Per-request caps on host resources ({@code [limits]}): open tracing spans, database transactions
 * and cursors, LLM streams.
 */
public record LimitsConfig(int spans, int transactions, int cursors, int llmStreams) {
  public static LimitsConfig defaults() {
    return new LimitsConfig(1024, 64, 256, 32);
  }
}
