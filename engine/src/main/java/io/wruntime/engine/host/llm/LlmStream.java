package io.wruntime.engine.host.llm;

import com.fasterxml.jackson.databind.JsonNode;
import io.wruntime.engine.host.abi.Blocking;
import io.wruntime.engine.host.llm.Llm.ErrorKind;
import io.wruntime.engine.host.llm.Llm.Event;
import io.wruntime.engine.host.llm.Llm.Failure;
import io.wruntime.engine.host.llm.Llm.Stop;
import io.wruntime.engine.host.llm.Llm.StopReason;
import io.wruntime.engine.host.llm.Llm.TextDelta;
import io.wruntime.engine.host.llm.Llm.ToolCall;
import io.wruntime.engine.host.llm.Llm.ToolUse;
import io.wruntime.engine.host.llm.Llm.Usage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * A streamed completion: the provider's server-sent events turned into the interface's events.
 * Anthropic: {@code content_block_delta} text deltas become {@code text-delta}; a {@code tool_use}
 * block becomes one {@code tool-use} when it stops (its input JSON joined); {@code message_stop}
 * ends with {@code usage} then {@code stop}. OpenAI: {@code delta.content} becomes {@code
 * text-delta}; tool calls are joined by index and sent at the {@code finish_reason}; {@code [DONE]}
 * ends with {@code usage} (when the provider sent it) then {@code stop}. An error the provider
 * sends mid-stream fails {@link #next} with its error case. Text passes through a {@link
 * KeyRedactor}, so the API key is replaced even when the provider splits it across deltas.
 *
 * <p>One instance, one thread: not thread-safe.
 */
final class LlmStream implements AutoCloseable {
  private final InputStream body;
  private final BufferedReader lines;
  private final boolean anthropic;
  private final String key;
  private final KeyRedactor text;
  private final Deque<Event> ready = new ArrayDeque<>();
  private final Map<Integer, PendingCall> calls = new TreeMap<>();
  private long inputTokens;
  private long outputTokens;
  private boolean sawUsage;
  private StopReason stop = StopReason.OTHER;
  private boolean done;

  private static final class PendingCall {
    String id = "";
    String name = "";
    final StringBuilder input = new StringBuilder();

    ToolUse toToolUse(String key) {
      String json = input.isEmpty() ? "{}" : input.toString();
      return new ToolUse(id, name, LlmProvider.redact(json, key));
    }
  }

  LlmStream(InputStream body, boolean anthropic, String key) {
    this.body = body;
    this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    this.anthropic = anthropic;
    this.key = key;
    this.text = new KeyRedactor(key);
  }

  /**
   * Queues an event for the module. Text goes through the redactor, which may hold back its end (a
   * key split across deltas); any other event first releases the text held, so the order of the
   * provider's events is kept.
   */
  private void emit(Event event) {
    if (event instanceof TextDelta(String piece)) {
      String safe = text.push(piece);
      if (!safe.isEmpty()) {
        ready.add(new TextDelta(safe));
      }
      return;
    }
    endText();
    ready.add(event);
  }

  /** Releases the text held back: its block ended. */
  private void endText() {
    String rest = text.flush();
    if (!rest.isEmpty()) {
      ready.add(new TextDelta(rest));
    }
  }

  /** The next event; null once the stream ended. */
  Event next() throws Failure {
    while (ready.isEmpty() && !done) {
      String[] event = readEvent();
      if (event == null) {
        done = true;
        close();
        throw new Failure(ErrorKind.API, "the provider's stream ended before the completion did");
      }
      try {
        if (anthropic) {
          anthropic(event[0], event[1]);
        } else {
          openAi(event[1]);
        }
      } catch (IOException | RuntimeException e) {
        done = true;
        close();
        throw new Failure(
            ErrorKind.API,
            LlmProvider.redact(
                "the provider's stream is not understood: " + LlmProvider.describe(e), key));
      } catch (Failure f) {
        done = true;
        close();
        throw f;
      }
    }
    return ready.poll();
  }

  /** The next server-sent event as (event name or "", data), or null at the end of the body. */
  private String[] readEvent() throws Failure {
    String name = "";
    StringBuilder data = null;
    while (true) {
      String line;
      try {
        line = lines.readLine();
      } catch (IOException e) {
        if (Thread.interrupted()) {
          throw Blocking.interrupted(new InterruptedException("reading the LLM stream"));
        }
        throw new Failure(
            ErrorKind.API,
            LlmProvider.redact("the provider's stream failed: " + LlmProvider.describe(e), key));
      }
      if (line == null) {
        return data == null ? null : new String[] {name, data.toString()};
      }
      if (line.isEmpty()) {
        if (data != null) {
          return new String[] {name, data.toString()};
        }
        name = "";
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      if (field.equals("event")) {
        name = value;
      } else if (field.equals("data")) {
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
  }

  private void anthropic(String name, String data) throws IOException, Failure {
    JsonNode json = LlmProvider.JSON.readTree(data);
    String type = json.path("type").asText(name);
    switch (type) {
      case "message_start" -> {
        JsonNode usage = json.path("message").path("usage");
        inputTokens = usage.path("input_tokens").asLong(inputTokens);
        outputTokens = usage.path("output_tokens").asLong(outputTokens);
      }
      case "content_block_start" -> {
        JsonNode block = json.path("content_block");
        if (block.path("type").asText().equals("tool_use")) {
          PendingCall call = new PendingCall();
          call.id = block.path("id").asText();
          call.name = block.path("name").asText();
          calls.put(json.path("index").asInt(), call);
        } else if (block.path("type").asText().equals("text")
            && !block.path("text").asText().isEmpty()) {
          emit(new TextDelta(block.path("text").asText()));
        }
      }
      case "content_block_delta" -> {
        JsonNode delta = json.path("delta");
        switch (delta.path("type").asText()) {
          case "text_delta" -> emit(new TextDelta(delta.path("text").asText()));
          case "input_json_delta" -> {
            PendingCall call = calls.get(json.path("index").asInt());
            if (call != null) {
              call.input.append(delta.path("partial_json").asText());
            }
          }
          default -> {} // thinking and other deltas the WIT has no case for
        }
      }
      case "content_block_stop" -> {
        PendingCall call = calls.remove(json.path("index").asInt());
        if (call != null) {
          emit(new ToolCall(call.toToolUse(key)));
        } else {
          endText();
        }
      }
      case "message_delta" -> {
        String reason = json.path("delta").path("stop_reason").asText(null);
        if (reason != null) {
          stop = LlmProvider.anthropicStop(reason);
        }
        JsonNode usage = json.path("usage");
        inputTokens = usage.path("input_tokens").asLong(inputTokens);
        outputTokens = usage.path("output_tokens").asLong(outputTokens);
      }
      case "message_stop" -> finish(true);
      case "error" -> throw streamError(json.path("error"));
      default -> {} // ping, and events added later
    }
  }

  private void openAi(String data) throws IOException, Failure {
    if (data.strip().equals("[DONE]")) {
      flushCalls();
      finish(sawUsage);
      return;
    }
    JsonNode json = LlmProvider.JSON.readTree(data);
    if (json.has("error")) {
      throw streamError(json.path("error"));
    }
    JsonNode usage = json.path("usage");
    if (usage.isObject()) {
      sawUsage = true;
      inputTokens = usage.path("prompt_tokens").asLong(inputTokens);
      outputTokens = usage.path("completion_tokens").asLong(outputTokens);
    }
    JsonNode choice = json.path("choices").path(0);
    if (choice.isMissingNode()) {
      return;
    }
    JsonNode delta = choice.path("delta");
    if (delta.path("content").isTextual() && !delta.path("content").asText().isEmpty()) {
      emit(new TextDelta(delta.path("content").asText()));
    }
    for (JsonNode part : delta.path("tool_calls")) {
      PendingCall call = calls.computeIfAbsent(part.path("index").asInt(), i -> new PendingCall());
      if (part.path("id").isTextual()) {
        call.id = part.path("id").asText();
      }
      JsonNode function = part.path("function");
      if (function.path("name").isTextual()) {
        call.name = function.path("name").asText();
      }
      if (function.path("arguments").isTextual()) {
        call.input.append(function.path("arguments").asText());
      }
    }
    if (choice.path("finish_reason").isTextual()) {
      stop = LlmProvider.openAiStop(choice.path("finish_reason").asText());
      flushCalls();
      endText();
    }
  }

  /**
   * An error the provider sent in the stream after its 200 (Anthropic's {@code error} event, an
   * OpenAI-compatible chunk with an {@code error}), as its error case: its type, and its message
   * without the key. A rate limit met mid-stream comes with no Retry-After header to read.
   */
  private Failure streamError(JsonNode error) {
    String type = error.path("type").asText("");
    String message = error.path("message").asText("");
    String text = type.isEmpty() ? message : type + ": " + message;
    return new Failure(
        LlmProvider.errorKind(error), LlmProvider.redact("stream error: " + text, key), null);
  }

  private void flushCalls() {
    for (PendingCall call : calls.values()) {
      emit(new ToolCall(call.toToolUse(key)));
    }
    calls.clear();
  }

  private void finish(boolean withUsage) {
    endText();
    if (withUsage) {
      ready.add(new Usage(inputTokens, outputTokens));
    }
    ready.add(new Stop(stop));
    done = true;
    close();
  }

  /** Ends the HTTP exchange (idempotent); events already read stay available. */
  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException e) {
      // closing an aborted exchange: nothing left to release
    }
  }
}
