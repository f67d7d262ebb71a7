package io.wruntime.engine.host.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code wruntime:llm} in a running engine: the C test guest {@code llm} (built from source with
 * the C SDK) asks a provider for completions; the provider is a local HTTP server speaking the
 * Anthropic Messages and the OpenAI chat-completions wire protocols.
 */
class ModuleLlmIT {
  private static final Path GUEST = Path.of("target", "test-guests", "llm.wasm");
  private static final String KEY = "sk-test-5f1c2a9e";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final Logger providerLog = (Logger) LoggerFactory.getLogger(LlmProvider.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private HttpServer provider;
  private volatile Reply reply;
  private Engine engine;

  /** A request the provider received. */
  record Seen(String method, String path, Map<String, List<String>> headers, JsonNode body) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  /** What the provider answers. */
  record Reply(int status, Map<String, String> headers, String body) {}

  @BeforeEach
  void startProvider() throws IOException {
    provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    provider.createContext("/", this::answer);
    provider.start();
    logged.start();
    providerLog.addAppender(logged);
  }

  /** What the engine logged about LLM calls (never the key). */
  private List<String> logLines() {
    synchronized (logged) { // ListAppender appends under its own lock
      return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  private void answer(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    seen.add(
        new Seen(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getPath(),
            Map.copyOf(exchange.getRequestHeaders()),
            JSON.readTree(body)));
    Reply r = reply;
    byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
    r.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    if (!r.headers().containsKey("content-type")) {
      exchange.getResponseHeaders().add("content-type", "application/json");
    }
    exchange.sendResponseHeaders(r.status(), out.length);
    exchange.getResponseBody().write(out);
    exchange.close();
  }

  @AfterEach
  void stop() {
    providerLog.detachAppender(logged);
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
    provider.stop(0);
  }

  private void start(String providerName, String extra) throws Exception {
    start(providerName, extra, "");
  }

  private void start(String providerName, String extra, String topLevel) throws Exception {
    Path keyFile = dir.resolve("api-key");
    Files.writeString(keyFile, KEY + "\n");
    String toml =
        """
        listen_address = "127.0.0.1:0"
        %s
        [[module]]
        name = "llm"
        namespace = "test"
        version = "1.0.0"
        wasm_path = "%s"
        [module.capabilities.llm]
        provider = "%s"
        base_url = "http://127.0.0.1:%d"
        api_key_file = "%s"
        max_tokens = 1000
        %s
        """
            .formatted(
                topLevel,
                GUEST.toAbsolutePath(),
                providerName,
                provider.getAddress().getPort(),
                keyFile,
                extra);
    engine =
        Engine.startWith(
            EngineConfig.parse("engine.toml", toml),
            outbound -> new WasiHttpModuleLoader(outbound));
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
            .header("x-wr-namespace", "test")
            .header("x-wr-module", "llm")
            .header("x-wr-version", "1.0.0")
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static Reply ok(String body) {
    return new Reply(200, Map.of(), body);
  }

  @Test
  void anthropicCompletionSendsTheWholeRequestWithTheKeyAndReturnsEveryPart() throws Exception {
    start("anthropic", "");
    reply =
        ok(
            """
            {"id":"msg_1","type":"message","role":"assistant","model":"test-model",
             "content":[{"type":"text","text":"3 in stock"},
                        {"type":"tool_use","id":"toolu_2","name":"reserve","input":{"sku":"A1"}}],
             "stop_reason":"tool_use","usage":{"input_tokens":42,"output_tokens":7}}
            """);

    HttpResponse<String> response = get("/complete");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo(
            "stop=3 in=42 out=7\ntext:3 in stock\ntool-use:toolu_2:reserve:{\"sku\":\"A1\"}\n");
    assertThat(seen).hasSize(1);
    Seen request = seen.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/messages");
    assertThat(request.header("x-api-key")).isEqualTo(KEY);
    assertThat(request.header("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(request.header("authorization")).isNull();
    assertThat(request.body())
        .isEqualTo(
            JSON.readTree(
                """
                {"model":"test-model","max_tokens":100,"system":"Be brief.","temperature":0.5,
                 "messages":[
                   {"role":"user","content":[{"type":"text","text":"How many A1 are in stock?"}]},
                   {"role":"assistant","content":[
                     {"type":"text","text":"Let me look."},
                     {"type":"tool_use","id":"call_1","name":"lookup","input":{"sku":"A1"}}]},
                   {"role":"user","content":[
                     {"type":"tool_result","tool_use_id":"call_1","content":"{\\"stock\\":3}",
                      "is_error":false}]}],
                 "tools":[{"name":"lookup","description":"Stock of a SKU",
                   "input_schema":{"type":"object","properties":{"sku":{"type":"string"}}}}]}
                """));
  }

  @Test
  void openAiCompletionSendsTheWholeRequestWithTheBearerKey() throws Exception {
    start("openai", "");
    reply =
        ok(
            """
            {"id":"chatcmpl-1","object":"chat.completion",
             "choices":[{"index":0,"finish_reason":"tool_calls",
               "message":{"role":"assistant","content":"Reserving.",
                 "tool_calls":[{"id":"call_9","type":"function",
                   "function":{"name":"reserve","arguments":"{\\"sku\\":\\"A1\\"}"}}]}}],
             "usage":{"prompt_tokens":40,"completion_tokens":5,"total_tokens":45}}
            """);

    HttpResponse<String> response = get("/complete");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo(
            "stop=3 in=40 out=5\ntext:Reserving.\ntool-use:call_9:reserve:{\"sku\":\"A1\"}\n");
    Seen request = seen.get(0);
    assertThat(request.path()).isEqualTo("/v1/chat/completions");
    assertThat(request.header("authorization")).isEqualTo("Bearer " + KEY);
    assertThat(request.header("x-api-key")).isNull();
    assertThat(request.body())
        .isEqualTo(
            JSON.readTree(
                """
                {"model":"test-model","max_tokens":100,"temperature":0.5,
                 "messages":[
                   {"role":"system","content":"Be brief."},
                   {"role":"user","content":"How many A1 are in stock?"},
                   {"role":"assistant","content":"Let me look.","tool_calls":[
                     {"id":"call_1","type":"function",
                      "function":{"name":"lookup","arguments":"{\\"sku\\":\\"A1\\"}"}}]},
                   {"role":"tool","tool_call_id":"call_1","content":"{\\"stock\\":3}"}],
                 "tools":[{"type":"function","function":{"name":"lookup",
                   "description":"Stock of a SKU",
                   "parameters":{"type":"object","properties":{"sku":{"type":"string"}}}}}]}
                """));
  }

  @Test
  void providerErrorsReachTheModuleAsTheirErrorCasesWithoutTheKey() throws Exception {
    start("anthropic", "");

    reply =
        new Reply(
            401,
            Map.of(),
            "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                + "\"message\":\"invalid x-api-key "
                + KEY
                + "\"}}");
    HttpResponse<String> auth = get("/complete");
    reply = new Reply(429, Map.of("retry-after", "17"), "{\"error\":{\"message\":\"slow down\"}}");
    HttpResponse<String> limited = get("/complete");
    reply = new Reply(429, Map.of(), "{\"error\":{\"message\":\"slow down\"}}");
    HttpResponse<String> limitedNoHint = get("/complete");
    reply = new Reply(400, Map.of(), "{\"error\":{\"message\":\"messages: empty\"}}");
    HttpResponse<String> invalid = get("/complete");
    reply = new Reply(500, Map.of(), "{\"error\":{\"message\":\"overloaded\"}}");
    HttpResponse<String> api = get("/complete");

    assertThat(auth.statusCode()).isEqualTo(502);
    assertThat(auth.body()).isEqualTo("auth: HTTP 401: invalid x-api-key [api key]");
    assertThat(limited.body()).isEqualTo("rate-limited: retry-after=17");
    assertThat(limitedNoHint.body()).isEqualTo("rate-limited: no retry-after");
    assertThat(invalid.body()).isEqualTo("invalid-request: HTTP 400: messages: empty");
    assertThat(api.body()).isEqualTo("api: HTTP 500: overloaded");
    // The engine keeps serving after each.
    reply = ok("{\"content\":[],\"stop_reason\":\"end_turn\",\"usage\":{}}");
    assertThat(get("/complete").body()).isEqualTo("stop=0 in=0 out=0\n");
  }

  @Test
  void maxTokensAboveTheGrantIsRefusedWithoutCallingTheProvider() throws Exception {
    start("openai", "");

    HttpResponse<String> response = get("/big");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .isEqualTo(
            "invalid-request: max-tokens = 5000 (expected: 1 to 1000, the max_tokens of this"
                + " module's [module.capabilities.llm])");
    assertThat(seen).isEmpty();
  }

  @Test
  void aRequestWithoutAModelUsesTheGrantsDefaultOrIsRefused() throws Exception {
    start("anthropic", "model = \"default-model\"");
    reply = ok("{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"stop_reason\":\"end_turn\"}");

    assertThat(get("/default").body()).isEqualTo("stop=0 in=0 out=0\ntext:hi\n");
    assertThat(seen.get(0).body().path("model").asText()).isEqualTo("default-model");

    engine.close(Duration.ofSeconds(2));
    seen.clear();
    start("anthropic", "");
    assertThat(get("/default").body())
        .isEqualTo(
            "invalid-request: no model (expected: the provider's model name in the request, or a"
                + " default model in the model key of this module's [module.capabilities.llm])");
    assertThat(seen).isEmpty();
  }

  @Test
  void aModuleImportingLlmWithoutTheGrantFailsToLoadNamingIt() {
    WasiHttpModuleLoader loader =
        new WasiHttpModuleLoader(
            request -> {
              throw new AssertionError("no call expected");
            });
    ModuleDefinition definition =
        new ModuleDefinition(
            "test", "llm", "1.0.0", GUEST, Map.of(), 16 * 1024 * 1024, ExecutionMode.INTERPRETED);

    assertThatThrownBy(() -> loader.load(definition))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessageStartingWith("module test.llm@1.0.0 imports wruntime:llm/inference@0.1.0#")
        .hasMessageEndingWith(
            " but is not granted wruntime:llm (expected: [module.capabilities.llm] in its"
                + " [[module]] entry)");
  }

  private static Reply sse(String events) {
    return new Reply(200, Map.of("content-type", "text/event-stream"), events);
  }

  @Test
  void anthropicStreamTurnsServerSentEventsIntoEvents() throws Exception {
    start("anthropic", "");
    reply =
        sse(
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":12,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: ping
            data: {"type":"ping"}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"3 in "}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"stock"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_2","name":"reserve","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"sku\\":"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"A1\\"}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}

            event: message_stop
            data: {"type":"message_stop"}

            """);

    HttpResponse<String> response = get("/stream");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo(
            "text-delta:3 in \ntext-delta:stock\ntool-use:toolu_2:reserve:{\"sku\":\"A1\"}\n"
                + "usage:12:9\nstop:3\nend\n");
    Seen request = seen.get(0);
    assertThat(request.path()).isEqualTo("/v1/messages");
    assertThat(request.header("x-api-key")).isEqualTo(KEY);
    assertThat(request.body().path("stream").asBoolean()).isTrue();
    assertThat(request.body().path("model").asText()).isEqualTo("test-model");
    assertThat(request.body().path("messages")).hasSize(3);
  }

  @Test
  void openAiStreamTurnsChunksIntoEvents() throws Exception {
    start("openai", "");
    reply =
        sse(
            """
            data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

            data: {"choices":[{"index":0,"delta":{"content":"Reserv"}}]}

            data: {"choices":[{"index":0,"delta":{"content":"ing."}}]}

            data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"reserve","arguments":""}}]}}]}

            data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"sku\\":\\"A1\\"}"}}]}}]}

            data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: {"choices":[],"usage":{"prompt_tokens":40,"completion_tokens":5}}

            data: [DONE]

            """);

    HttpResponse<String> response = get("/stream");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo(
            "text-delta:Reserv\ntext-delta:ing.\ntool-use:call_9:reserve:{\"sku\":\"A1\"}\n"
                + "usage:40:5\nstop:3\nend\n");
    Seen request = seen.get(0);
    assertThat(request.path()).isEqualTo("/v1/chat/completions");
    assertThat(request.header("authorization")).isEqualTo("Bearer " + KEY);
    assertThat(request.body().path("stream").asBoolean()).isTrue();
    assertThat(request.body().path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void aStreamRefusedByTheProviderIsItsErrorCase() throws Exception {
    start("openai", "");
    reply = new Reply(429, Map.of("retry-after", "3"), "{\"error\":{\"message\":\"slow\"}}");

    assertThat(get("/stream").body()).isEqualTo("rate-limited: retry-after=3");
  }

  @Test
  void theStreamCapFailsThatStreamCleanlyAndTheEngineKeepsServing() throws Exception {
    start("anthropic", "", "[limits]\nllm_streams = 2\n");
    reply = sse("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

    HttpResponse<String> limited = get("/streams");

    assertThat(limited.statusCode()).isEqualTo(503);
    assertThat(limited.body())
        .isEqualTo(
            "2 open; limit-exceeded: this request already has 2 LLM streams open (expected: at"
                + " most [limits] llm_streams = 2 per request; drop a stream to open another)");
    assertThat(seen).hasSize(2);
    // The cap is per request, and the streams of the last one were closed when it ended.
    assertThat(get("/streams").body()).startsWith("2 open; limit-exceeded:");
  }

  @Test
  void aPointerOutsideMemoryFailsTheRequestAsAnAbiViolationAndTheEngineKeepsServing()
      throws Exception {
    start("anthropic", "");

    HttpResponse<String> complete = get("/abi/complete");
    HttpResponse<String> stream = get("/abi/complete-stream");

    assertThat(complete.statusCode()).isEqualTo(500);
    JsonNode completeError = JSON.readTree(complete.body());
    assertThat(completeError.path("code").asText()).isEqualTo("abi_violation");
    assertThat(completeError.path("error").asText())
        .startsWith(
            "module test.llm@1.0.0 broke the guest ABI: wruntime:llm/inference@0.1.0#complete:"
                + " model: range [4294967040, 4294967056) is outside guest memory of ")
        .endsWith(" bytes (expected: a pointer and length within memory)");
    assertThat(stream.statusCode()).isEqualTo(500);
    JsonNode streamError = JSON.readTree(stream.body());
    assertThat(streamError.path("code").asText()).isEqualTo("abi_violation");
    assertThat(streamError.path("error").asText())
        .startsWith(
            "module test.llm@1.0.0 broke the guest ABI:"
                + " wruntime:llm/inference@0.1.0#complete-stream: messages: 2147483647 elements"
                + " of 12 bytes do not fit in guest memory of ");
    assertThat(seen).as("the provider was not called").isEmpty();

    reply = ok("{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"stop_reason\":\"end_turn\"}");
    assertThat(get("/complete").body()).isEqualTo("stop=0 in=0 out=0\ntext:hi\n");
  }

  @Test
  void anApiKeyFileThatCannotBeReadAtCallTimeIsAnAuthErrorAndALogLineNamingTheFile()
      throws Exception {
    start("openai", "");
    Path keyFile = dir.resolve("api-key");
    reply = ok("{\"choices\":[{\"message\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}");

    Files.delete(keyFile);
    HttpResponse<String> missing = get("/complete");
    Files.createDirectory(keyFile);
    HttpResponse<String> directory = get("/complete");
    Files.delete(keyFile);
    Files.writeString(keyFile, "  \n");
    HttpResponse<String> empty = get("/complete");
    // Two lines: not a value an HTTP header can carry, and the module must not see either.
    Files.writeString(keyFile, KEY + "\nsecond-line-" + KEY + "\n");
    HttpResponse<String> malformed = get("/complete");

    assertThat(missing.statusCode()).isEqualTo(502);
    assertThat(missing.body())
        .isEqualTo("auth: the engine cannot read its LLM API key (see its log)");
    assertThat(directory.body())
        .isEqualTo("auth: the engine cannot read its LLM API key (see its log)");
    assertThat(empty.body()).isEqualTo("auth: the engine's LLM API key is empty (see its log)");
    assertThat(malformed.body())
        .isEqualTo("auth: the engine's LLM API key is malformed (see its log)");
    assertThat(seen).as("the provider was not called").isEmpty();
    assertThat(logLines())
        .hasSize(4)
        .allSatisfy(line -> assertThat(line).contains(keyFile.toString()).doesNotContain(KEY));
    assertThat(logLines().get(0)).startsWith("cannot read the LLM API key file " + keyFile);

    // A key put back is read by the next call, without a restart.
    Files.writeString(keyFile, KEY + "\n");
    assertThat(get("/complete").body()).isEqualTo("stop=0 in=0 out=0\ntext:hi\n");
    assertThat(seen.get(0).header("authorization")).isEqualTo("Bearer " + KEY);
  }

  @Test
  void retryAfterAsAnHttpDateReachesTheModuleAsSeconds() throws Exception {
    start("anthropic", "");
    String inAnHour =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusHours(1));

    reply = new Reply(429, Map.of("retry-after", inAnHour), "{\"error\":{\"message\":\"slow\"}}");
    HttpResponse<String> date = get("/complete");
    reply = new Reply(429, Map.of("retry-after", "-3"), "{\"error\":{\"message\":\"slow\"}}");
    HttpResponse<String> negative = get("/complete");
    reply = new Reply(429, Map.of("retry-after", "tomorrow"), "{\"error\":{\"message\":\"slow\"}}");
    HttpResponse<String> garbage = get("/complete");

    assertThat(date.body()).startsWith("rate-limited: retry-after=");
    // The date was an hour ahead when sent; the module is told the seconds left until then.
    assertThat(Long.parseLong(date.body().substring("rate-limited: retry-after=".length())))
        .isBetween(1L, 3600L);
    assertThat(negative.body()).isEqualTo("rate-limited: no retry-after");
    assertThat(garbage.body()).isEqualTo("rate-limited: no retry-after");
  }

  @Test
  void anErrorEventMidStreamIsItsErrorCase() throws Exception {
    start("anthropic", "");
    reply =
        sse(
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":12}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"A long enough beginning of an answer, "}}

            event: error
            data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

            """);

    HttpResponse<String> response = get("/stream");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).isEqualTo("api: stream error: overloaded_error: Overloaded");
  }

  @Test
  void anOpenAiErrorChunkMidStreamIsItsErrorCase() throws Exception {
    start("openai", "");
    reply =
        sse(
            """
            data: {"choices":[{"index":0,"delta":{"content":"Reserv"}}]}

            data: {"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}

            """);

    assertThat(get("/stream").body()).isEqualTo("rate-limited: no retry-after");

    reply =
        sse(
            """
            data: {"choices":[{"index":0,"delta":{"content":"Reserv"}}]}

            data: {"error":{"message":"bad key %s","type":"invalid_request_error","code":"invalid_api_key"}}

            """
                .formatted(KEY));

    assertThat(get("/stream").body())
        .isEqualTo("auth: stream error: invalid_request_error: bad key [api key]");
  }

  @Test
  void theKeySplitAcrossTwoStreamDeltasIsRedactedInWhatTheModuleSees() throws Exception {
    start("openai", "");
    String head = KEY.substring(0, 7);
    String tail = KEY.substring(7);
    reply =
        sse(
            """
            data: {"choices":[{"index":0,"delta":{"content":"Your key is %s"}}]}

            data: {"choices":[{"index":0,"delta":{"content":"%s, keep it safe."}}]}

            data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

            data: [DONE]

            """
                .formatted(head, tail));

    HttpResponse<String> response = get("/stream");

    assertThat(response.statusCode()).isEqualTo(200);
    String text =
        response
            .body()
            .lines()
            .filter(l -> l.startsWith("text-delta:"))
            .map(l -> l.substring("text-delta:".length()))
            .reduce("", String::concat);
    assertThat(text).isEqualTo("Your key is [api key], keep it safe.");
    assertThat(response.body()).doesNotContain(head).doesNotContain(tail).endsWith("stop:0\nend\n");
  }
}
