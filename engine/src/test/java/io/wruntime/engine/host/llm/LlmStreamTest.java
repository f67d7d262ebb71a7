package io.wruntime.engine.host.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.host.llm.Llm.ErrorKind;
import io.wruntime.engine.host.llm.Llm.Event;
import io.wruntime.engine.host.llm.Llm.Failure;
import io.wruntime.engine.host.llm.Llm.Stop;
import io.wruntime.engine.host.llm.Llm.StopReason;
import io.wruntime.engine.host.llm.Llm.TextDelta;
import io.wruntime.engine.host.llm.Llm.ToolCall;
import io.wruntime.engine.host.llm.Llm.ToolUse;
import io.wruntime.engine.host.llm.Llm.Usage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A provider's server-sent events as the module sees them: the key never in any text, whichever way
 * the provider splits it, and errors sent mid-stream as their error cases.
 */
class LlmStreamTest {
  private static final String KEY = "sk-test-5f1c2a9e";

  private static LlmStream stream(boolean anthropic, String sse) {
    return new LlmStream(
        new ByteArrayInputStream(sse.getBytes(StandardCharsets.UTF_8)), anthropic, KEY);
  }

  private static List<Event> events(LlmStream stream) throws Failure {
    List<Event> events = new ArrayList<>();
    for (Event e = stream.next(); e != null; e = stream.next()) {
      events.add(e);
    }
    return events;
  }

  private static String text(List<Event> events) {
    return events.stream()
        .filter(e -> e instanceof TextDelta)
        .map(e -> ((TextDelta) e).text())
        .collect(Collectors.joining());
  }

  private static String openAiDeltas(String... pieces) {
    StringBuilder sse = new StringBuilder();
    for (String piece : pieces) {
      sse.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":")
          .append(LlmProvider.JSON.valueToTree(piece).toString())
          .append("}}]}\n\n");
    }
    return sse.append(
            "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
        .append("data: [DONE]\n\n")
        .toString();
  }

  private static String anthropicDeltas(String... pieces) {
    StringBuilder sse =
        new StringBuilder(
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    for (String piece : pieces) {
      sse.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",")
          .append("\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":")
          .append(LlmProvider.JSON.valueToTree(piece).toString())
          .append("}}\n\n");
    }
    return sse.append(
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
        .append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
        .toString();
  }

  @Test
  void aKeySplitAcrossTwoDeltasIsRedacted() throws Exception {
    List<Event> openAi = events(stream(false, openAiDeltas("your key is sk-test-", "5f1c2a9e!")));
    List<Event> anthropic =
        events(stream(true, anthropicDeltas("your key is sk-test-", "5f1c2a9e!")));

    assertThat(text(openAi)).isEqualTo("your key is [api key]!");
    assertThat(text(anthropic)).isEqualTo("your key is [api key]!");
    assertThat(openAi).last().isEqualTo(new Stop(StopReason.END_TURN));
  }

  @Test
  void aKeySplitIntoSingleCharactersIsRedactedAndNoDeltaCarriesAPartOfIt() throws Exception {
    String said = "a " + KEY + " b " + KEY;
    List<Event> events = events(stream(false, openAiDeltas(said.split(""))));

    assertThat(text(events)).isEqualTo("a [api key] b [api key]");
    // No delta holds even the key's first half: the host held it back until it knew.
    assertThat(events)
        .filteredOn(e -> e instanceof TextDelta)
        .allSatisfy(e -> assertThat(((TextDelta) e).text()).doesNotContain("sk-test-5f1c"));
  }

  @Test
  void textIsHandedOutAsItComesWhenItDoesNotEndLikeTheKeysBeginning() throws Exception {
    List<Event> events = events(stream(false, openAiDeltas("3 in ", "stock", " (sk", "u A1)")));

    assertThat(events)
        .containsExactly(
            new TextDelta("3 in "),
            new TextDelta("stock"),
            new TextDelta(" ("),
            new TextDelta("sku A1)"),
            new Stop(StopReason.END_TURN));
  }

  @Test
  void textThatOnlyLooksLikeTheKeysStartIsHandedOutWhole() throws Exception {
    List<Event> events = events(stream(true, anthropicDeltas("sk-test-", "is not it", "😀")));

    assertThat(text(events)).isEqualTo("sk-test-is not it😀");
    assertThat(events)
        .filteredOn(e -> e instanceof TextDelta)
        .allSatisfy(
            e -> {
              String t = ((TextDelta) e).text();
              assertThat(t).isNotEmpty();
              assertThat(Character.isHighSurrogate(t.charAt(t.length() - 1))).isFalse();
            });
  }

  @Test
  void heldBackTextComesBeforeTheToolCallAndUsageThatFollowIt() throws Exception {
    String sse =
        """
        data: {"choices":[{"index":0,"delta":{"content":"Reserving."}}]}

        data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","function":{"name":"reserve","arguments":"{}"}}]}}]}

        data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

        data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":5}}

        data: [DONE]

        """;

    assertThat(events(stream(false, sse)))
        .containsExactly(
            new TextDelta("Reserving."),
            new ToolCall(new ToolUse("call_9", "reserve", "{}")),
            new Usage(4, 5),
            new Stop(StopReason.TOOL_USE));
  }

  private static Failure failure(LlmStream stream) {
    try {
      events(stream);
    } catch (Failure f) {
      return f;
    }
    throw new AssertionError("the stream did not fail");
  }

  @Test
  void anthropicErrorEventsMidStreamAreTheirErrorCases() throws Exception {
    String start =
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n";
    LlmStream overloaded =
        stream(
            true,
            start
                + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"Overloaded\"}}\n\n");

    // The text before the error reached the module; then the error.
    assertThat(overloaded.next()).isEqualTo(new TextDelta("Hel"));
    assertThatThrownBy(overloaded::next)
        .isInstanceOfSatisfying(Failure.class, f -> assertThat(f.kind()).isEqualTo(ErrorKind.API))
        .hasMessage("stream error: overloaded_error: Overloaded");
    assertThat(overloaded.next()).isNull();

    Failure limited =
        failure(
            stream(
                true,
                "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
                    + "\"message\":\"slow down\"}}\n\n"));
    assertThat(limited.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(limited.retryAfter()).isNull();

    Failure auth =
        failure(
            stream(
                true,
                "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                    + "\"message\":\"bad key "
                    + KEY
                    + "\"}}\n\n"));
    assertThat(auth.kind()).isEqualTo(ErrorKind.AUTH);
    assertThat(auth).hasMessage("stream error: authentication_error: bad key [api key]");
  }

  @Test
  void openAiErrorChunksMidStreamAreTheirErrorCases() throws Exception {
    String start = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n";

    Failure invalid =
        failure(
            stream(
                false,
                start
                    + "data: {\"error\":{\"message\":\"context too long\","
                    + "\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}\n\n"));
    Failure limited =
        failure(
            stream(
                false,
                start
                    + "data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                    + "\"code\":\"rate_limit_exceeded\"}}\n\n"));
    Failure server =
        failure(
            stream(
                false,
                start
                    + "event: error\ndata: {\"error\":{\"object\":\"error\",\"message\":\"engine"
                    + " died\",\"type\":\"InternalServerError\",\"code\":500}}\n\n"));

    assertThat(invalid.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(invalid).hasMessage("stream error: invalid_request_error: context too long");
    assertThat(limited.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(server.kind()).isEqualTo(ErrorKind.API);
    assertThat(server).hasMessage("stream error: InternalServerError: engine died");
  }
}
