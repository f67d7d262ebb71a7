package io.wruntime.engine.host.llm;

import java.util.List;

/** The values of {@code wruntime:llm/inference} (wit/llm/inference.wit), as the host reads them. */
final class Llm {
  private Llm() {}

  /** A part of a message ({@code content}). */
  sealed interface Content permits Text, ToolUse, ToolResult {}

  record Text(String text) implements Content {}

  record ToolUse(String id, String name, String inputJson) implements Content {}

  record ToolResult(String toolCallId, String content, boolean isError) implements Content {}

  record Message(boolean assistant, List<Content> content) {}

  record Tool(String name, String description, String inputSchemaJson) {}

  record Request(
      String model,
      String system,
      List<Message> messages,
      long maxTokens,
      Float temperature,
      List<Tool> tools) {}

  /** The cases of {@code stop-reason}, in WIT order. */
  enum StopReason {
    END_TURN,
    MAX_TOKENS,
    STOP_SEQUENCE,
    TOOL_USE,
    OTHER
  }

  record Response(
      List<Content> content, StopReason stopReason, long inputTokens, long outputTokens) {}

  /** One event of a streamed completion ({@code event}). */
  sealed interface Event permits TextDelta, ToolCall, Usage, Stop {}

  record TextDelta(String text) implements Event {}

  record ToolCall(ToolUse call) implements Event {}

  record Usage(long inputTokens, long outputTokens) implements Event {}

  record Stop(StopReason reason) implements Event {}

  /** The cases of {@code error}, in WIT order. */
  enum ErrorKind {
    INVALID_REQUEST,
    AUTH,
    RATE_LIMITED,
    API,
    LIMIT_EXCEEDED
  }

  /**
   * An {@code error} for the module: its case, its text ({@code rate-limited} has none) and the
   * seconds to wait of {@code rate-limited}, or null when the provider did not say.
   */
  static final class Failure extends Exception {
    private final ErrorKind kind;
    private final Long retryAfter;

    Failure(ErrorKind kind, String message) {
      this(kind, message, null);
    }

    Failure(ErrorKind kind, String message, Long retryAfter) {
      super(message, null, false, false);
      this.kind = kind;
      this.retryAfter = retryAfter;
    }

    ErrorKind kind() {
      return kind;
    }

    Long retryAfter() {
      return retryAfter;
    }
  }
}
