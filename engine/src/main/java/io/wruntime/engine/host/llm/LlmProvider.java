package io.wruntime.engine.host.llm;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wruntime.engine.config.ModuleCapabilities;
import io.wruntime.engine.host.abi.Blocking;
import io.wruntime.engine.host.llm.Llm.Content;
import io.wruntime.engine.host.llm.Llm.ErrorKind;
import io.wruntime.engine.host.llm.Llm.Failure;
import io.wruntime.engine.host.llm.Llm.Message;
import io.wruntime.engine.host.llm.Llm.Request;
import io.wruntime.engine.host.llm.Llm.Response;
import io.wruntime.engine.host.llm.Llm.StopReason;
import io.wruntime.engine.host.llm.Llm.Text;
import io.wruntime.engine.host.llm.Llm.Tool;
import io.wruntime.engine.host.llm.Llm.ToolResult;
import io.wruntime.engine.host.llm.Llm.ToolUse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completions through the provider of a module's grant: the Anthropic Messages API (POST {@code
 * {base_url}/v1/messages}, {@code x-api-key}, {@code anthropic-version}) or an OpenAI-compatible
 * chat-completions API (POST {@code {base_url}/v1/chat/completions}, {@code Authorization:
 * Bearer}). The API key is read from the grant's {@code api_key_file} for each call; it is sent
 * only to the provider, and removed from any text handed back to the module. Neither the key nor
 * the bodies are logged.
 */
final class LlmProvider {
  static final String ANTHROPIC_VERSION = "2023-06-01";
  static final URI ANTHROPIC_URL = URI.create("https://api.anthropic.com");
  static final URI OPENAI_URL = URI.create("https://api.openai.com");

  private static final Logger LOG = LoggerFactory.getLogger(LlmProvider.class);
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final int MAX_ERROR_CHARS = 1024;

  /** The client, asked for at each call: the engine's own is built at the first one. */
  private final Supplier<HttpClient> http;

  LlmProvider(Supplier<HttpClient> http) {
    this.http = requireNonNull(http, "http");
  }

  /** A request ready to send, with what its answer needs. */
  private record Call(HttpRequest request, String key, boolean anthropic, String root) {}

  Response complete(ModuleCapabilities.Llm grant, Request request) throws Failure {
    Call call = prepare(grant, request, false);
    HttpResponse<byte[]> response;
    try {
      response = http.get().send(call.request(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      throw Blocking.interrupted(e);
    } catch (IOException e) {
      throw unreachable(call, e);
    }
    String text = new String(response.body(), StandardCharsets.UTF_8);
    checkStatus(response, text, call.key());
    try {
      JsonNode json = JSON.readTree(text);
      return call.anthropic()
          ? anthropicResponse(json, call.key())
          : openAiResponse(json, call.key());
    } catch (IOException | RuntimeException e) {
      throw new Failure(
          ErrorKind.API,
          redact("the provider's answer is not understood: " + describe(e), call.key()));
    }
  }

  /** Starts a streamed completion (server-sent events); the caller closes what it returns. */
  LlmStream stream(ModuleCapabilities.Llm grant, Request request) throws Failure {
    Call call = prepare(grant, request, true);
    HttpResponse<InputStream> response;
    try {
      response = http.get().send(call.request(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      throw Blocking.interrupted(e);
    } catch (IOException e) {
      throw unreachable(call, e);
    }
    if (response.statusCode() / 100 != 2) {
      String text;
      try (InputStream body = response.body()) {
        text = new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8);
      } catch (IOException e) {
        text = "";
      }
      checkStatus(response, text, call.key());
    }
    return new LlmStream(response.body(), call.anthropic(), call.key());
  }

  private Call prepare(ModuleCapabilities.Llm grant, Request request, boolean stream)
      throws Failure {
    String model = request.model() != null ? request.model() : grant.model();
    if (model == null) {
      throw new Failure(
          ErrorKind.INVALID_REQUEST,
          "no model (expected: the provider's model name in the request, or a default model in"
              + " the model key of this module's [module.capabilities.llm])");
    }
    if (request.maxTokens() < 1 || request.maxTokens() > grant.maxTokens()) {
      throw new Failure(
          ErrorKind.INVALID_REQUEST,
          "max-tokens = "
              + request.maxTokens()
              + " (expected: 1 to "
              + grant.maxTokens()
              + ", the max_tokens of this module's [module.capabilities.llm])");
    }
    String key = apiKey(grant);
    boolean anthropic = grant.provider() == ModuleCapabilities.Llm.Provider.ANTHROPIC;
    URI base = grant.baseUrl() != null ? grant.baseUrl() : anthropic ? ANTHROPIC_URL : OPENAI_URL;
    String root = base.toString().replaceAll("/+$", "");
    HttpRequest.Builder builder;
    byte[] body;
    try {
      if (anthropic) {
        ObjectNode json = anthropicBody(request, model);
        if (stream) {
          json.put("stream", true);
        }
        body = JSON.writeValueAsBytes(json);
        builder =
            HttpRequest.newBuilder(URI.create(root + "/v1/messages"))
                .header("x-api-key", key)
                .header("anthropic-version", ANTHROPIC_VERSION);
      } else {
        ObjectNode json = openAiBody(request, model);
        if (stream) {
          json.put("stream", true);
          json.putObject("stream_options").put("include_usage", true);
        }
        body = JSON.writeValueAsBytes(json);
        builder =
            HttpRequest.newBuilder(URI.create(root + "/v1/chat/completions"))
                .header("authorization", "Bearer " + key);
      }
    } catch (JsonProcessingException e) {
      throw new Failure(ErrorKind.API, "cannot write the request: " + e.getOriginalMessage());
    } catch (IllegalArgumentException e) {
      // HttpRequest refuses a header value (the key) with characters HTTP does not allow; its
      // message names the header only, but the key must not reach the module nor the log.
      LOG.warn("the LLM API key in {} is not a valid HTTP header value", grant.apiKeyFile());
      throw new Failure(ErrorKind.AUTH, "the engine's LLM API key is malformed (see its log)");
    }
    if ("http".equalsIgnoreCase(base.getScheme())) {
      builder.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance with local servers
    }
    if (stream) {
      builder.header("accept", "text/event-stream");
    }
    HttpRequest httpRequest =
        builder
            .timeout(TIMEOUT)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return new Call(httpRequest, key, anthropic, root);
  }

  private static Failure unreachable(Call call, IOException e) {
    return new Failure(
        ErrorKind.API,
        redact("cannot reach the provider at " + call.root() + ": " + describe(e), call.key()));
  }

  /** Throws the error case of a status other than 2xx. */
  private static void checkStatus(HttpResponse<?> response, String text, String key)
      throws Failure {
    int status = response.statusCode();
    if (status / 100 == 2) {
      return;
    }
    String message = redact("HTTP " + status + ": " + errorMessage(text), key);
    ErrorKind kind = statusKind(status);
    throw new Failure(
        kind,
        message,
        kind == ErrorKind.RATE_LIMITED
            ? retryAfter(response.headers().firstValue("retry-after").orElse(null))
            : null);
  }

  private static String apiKey(ModuleCapabilities.Llm grant) throws Failure {
    try {
      String key = Files.readString(grant.apiKeyFile(), StandardCharsets.UTF_8).strip();
      if (key.isEmpty()) {
        LOG.warn("LLM API key file {} is empty (expected: the API key)", grant.apiKeyFile());
        throw new Failure(ErrorKind.AUTH, "the engine's LLM API key is empty (see its log)");
      }
      return key;
    } catch (IOException e) {
      LOG.warn("cannot read the LLM API key file {}: {}", grant.apiKeyFile(), describe(e));
      throw new Failure(ErrorKind.AUTH, "the engine cannot read its LLM API key (see its log)");
    }
  }

  private static ObjectNode anthropicBody(Request request, String model) throws Failure {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    body.put("max_tokens", (int) request.maxTokens()); // within the grant's cap (<= 1000000)
    if (request.system() != null) {
      body.put("system", request.system());
    }
    if (request.temperature() != null) {
      body.put("temperature", request.temperature().doubleValue());
    }
    ArrayNode messages = body.putArray("messages");
    for (Message message : request.messages()) {
      ObjectNode m = messages.addObject();
      m.put("role", message.assistant() ? "assistant" : "user");
      ArrayNode content = m.putArray("content");
      for (Content part : message.content()) {
        ObjectNode c = content.addObject();
        switch (part) {
          case Text t -> c.put("type", "text").put("text", t.text());
          case ToolUse u -> {
            c.put("type", "tool_use").put("id", u.id()).put("name", u.name());
            c.set("input", json("tool-use input-json", u.inputJson()));
          }
          case ToolResult r ->
              c.put("type", "tool_result")
                  .put("tool_use_id", r.toolCallId())
                  .put("content", r.content())
                  .put("is_error", r.isError());
        }
      }
    }
    if (!request.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (Tool tool : request.tools()) {
        ObjectNode t = tools.addObject().put("name", tool.name());
        t.put("description", tool.description());
        t.set("input_schema", json("tool input-schema-json", tool.inputSchemaJson()));
      }
    }
    return body;
  }

  private static ObjectNode openAiBody(Request request, String model) throws Failure {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    body.put("max_tokens", (int) request.maxTokens()); // within the grant's cap (<= 1000000)
    if (request.temperature() != null) {
      body.put("temperature", request.temperature().doubleValue());
    }
    ArrayNode messages = body.putArray("messages");
    if (request.system() != null) {
      messages.addObject().put("role", "system").put("content", request.system());
    }
    for (Message message : request.messages()) {
      StringBuilder text = new StringBuilder();
      ArrayNode calls = JSON.createArrayNode();
      List<ObjectNode> results = new ArrayList<>();
      for (Content part : message.content()) {
        switch (part) {
          case Text t -> text.append(t.text());
          case ToolUse u -> {
            ObjectNode call = calls.addObject().put("id", u.id()).put("type", "function");
            call.putObject("function").put("name", u.name()).put("arguments", u.inputJson());
          }
          case ToolResult r ->
              results.add(
                  JSON.createObjectNode()
                      .put("role", "tool")
                      .put("tool_call_id", r.toolCallId())
                      .put("content", r.content()));
        }
      }
      // Tool results are messages of their own in this protocol, before the message's text.
      results.forEach(messages::add);
      if (!text.isEmpty() || !calls.isEmpty()) {
        ObjectNode m = messages.addObject().put("role", message.assistant() ? "assistant" : "user");
        if (text.isEmpty()) {
          m.putNull("content");
        } else {
          m.put("content", text.toString());
        }
        if (!calls.isEmpty()) {
          m.set("tool_calls", calls);
        }
      }
    }
    if (!request.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (Tool tool : request.tools()) {
        ObjectNode f = tools.addObject().put("type", "function").putObject("function");
        f.put("name", tool.name()).put("description", tool.description());
        f.set("parameters", json("tool input-schema-json", tool.inputSchemaJson()));
      }
    }
    return body;
  }

  private static JsonNode json(String what, String text) throws Failure {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      throw new Failure(
          ErrorKind.INVALID_REQUEST, what + " is not a JSON object (expected: {...})");
    }
    return node;
  }

  private static Response anthropicResponse(JsonNode json, String key) {
    List<Content> content = new ArrayList<>();
    for (JsonNode part : json.path("content")) {
      switch (part.path("type").asText()) {
        case "text" -> content.add(new Text(redact(part.path("text").asText(), key)));
        case "tool_use" ->
            content.add(
                new ToolUse(
                    part.path("id").asText(),
                    part.path("name").asText(),
                    redact(part.path("input").toString(), key)));
        default -> {} // thinking and other blocks the WIT has no case for
      }
    }
    StopReason stop = anthropicStop(json.path("stop_reason").asText());
    JsonNode usage = json.path("usage");
    return new Response(
        content, stop, usage.path("input_tokens").asLong(), usage.path("output_tokens").asLong());
  }

  private static Response openAiResponse(JsonNode json, String key) {
    JsonNode choice = json.path("choices").path(0);
    if (choice.isMissingNode()) {
      throw new IllegalArgumentException("no choices");
    }
    JsonNode message = choice.path("message");
    List<Content> content = new ArrayList<>();
    if (message.path("content").isTextual()) {
      content.add(new Text(redact(message.path("content").asText(), key)));
    }
    for (JsonNode call : message.path("tool_calls")) {
      content.add(
          new ToolUse(
              call.path("id").asText(),
              call.path("function").path("name").asText(),
              redact(call.path("function").path("arguments").asText(), key)));
    }
    StopReason stop = openAiStop(choice.path("finish_reason").asText());
    JsonNode usage = json.path("usage");
    return new Response(
        content,
        stop,
        usage.path("prompt_tokens").asLong(),
        usage.path("completion_tokens").asLong());
  }

  static StopReason anthropicStop(String reason) {
    return switch (reason) {
      case "end_turn" -> StopReason.END_TURN;
      case "max_tokens" -> StopReason.MAX_TOKENS;
      case "stop_sequence" -> StopReason.STOP_SEQUENCE;
      case "tool_use" -> StopReason.TOOL_USE;
      default -> StopReason.OTHER;
    };
  }

  static StopReason openAiStop(String reason) {
    return switch (reason) {
      case "stop" -> StopReason.END_TURN;
      case "length" -> StopReason.MAX_TOKENS;
      case "tool_calls", "function_call" -> StopReason.TOOL_USE;
      default -> StopReason.OTHER;
    };
  }

  /** The provider's own error text ({@code error.message} in both protocols), cut. */
  private static String errorMessage(String body) {
    String message = body;
    try {
      JsonNode json = JSON.readTree(body);
      if (json != null && json.path("error").path("message").isTextual()) {
        message = json.path("error").path("message").asText();
      }
    } catch (IOException e) {
      // not JSON: the body as it is
    }
    return message.length() > MAX_ERROR_CHARS ? message.substring(0, MAX_ERROR_CHARS) : message;
  }

  /**
   * Retry-After (RFC 9110 section 10.2.3) in seconds: delta-seconds as they are, an HTTP-date as
   * the seconds from now until then (0 when it has passed), capped to a u32; null when absent or
   * neither (a negative number, garbage).
   */
  static Long retryAfter(String value) {
    return retryAfter(value, Instant.now());
  }

  static Long retryAfter(String value, Instant now) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    if (v.matches("[0-9]+")) {
      // More digits than a long holds is still "a long time": the cap.
      return v.length() > 18 ? MAX_U32 : Math.min(Long.parseLong(v), MAX_U32);
    }
    Instant at = httpDate(v, now);
    if (at == null) {
      return null;
    }
    long millis = Duration.between(now, at).toMillis();
    return millis <= 0 ? 0L : Math.min((millis + 999) / 1000, MAX_U32);
  }

  private static final long MAX_U32 = 0xFFFF_FFFFL;

  /**
   * RFC 850 after its weekday: the two-digit year is read in 2000-2099 and corrected by the caller,
   * so the weekday (which would contradict 2094) is not parsed.
   */
  private static final DateTimeFormatter RFC_850 =
      DateTimeFormatter.ofPattern("dd-MMM-yy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

  /**
   * An HTTP-date in any of the three forms a recipient must accept (RFC 9110 section 5.6.7):
   * IMF-fixdate, RFC 850 (a two-digit year more than 50 years ahead is in the past century) and
   * asctime; null when it is none of them.
   */
  static Instant httpDate(String value, Instant now) {
    try {
      return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      // not IMF-fixdate: the obsolete forms
    }
    try {
      int comma = value.indexOf(", ");
      if (comma < 0
          || !value.substring(0, comma).matches("(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day")) {
        throw new DateTimeParseException("no weekday", value, 0);
      }
      ZonedDateTime at = ZonedDateTime.parse(value.substring(comma + 2), RFC_850);
      if (at.getYear() > now.atZone(ZoneOffset.UTC).getYear() + 50) {
        at = at.minusYears(100);
      }
      return at.toInstant();
    } catch (DateTimeParseException e) {
      // not RFC 850
    }
    try {
      return ZonedDateTime.parse(value.replaceAll(" +", " "), ASCTIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * The error case of a provider's error type or code, as sent in an error body or a stream's error
   * event (Anthropic: {@code error.type}; OpenAI-compatible: {@code error.type} and {@code
   * error.code}, which some servers send as the HTTP status).
   */
  static ErrorKind errorKind(JsonNode error) {
    JsonNode code = error.path("code");
    if (code.isInt() || (code.isTextual() && code.asText().matches("[1-5][0-9][0-9]"))) {
      return statusKind(code.asInt());
    }
    String type = error.path("type").asText("");
    String c = code.asText("");
    if (type.equals("authentication_error")
        || type.equals("permission_error")
        || c.equals("invalid_api_key")) {
      return ErrorKind.AUTH;
    }
    if (type.equals("rate_limit_error")
        || type.equals("insufficient_quota")
        || c.equals("rate_limit_exceeded")
        || c.equals("insufficient_quota")) {
      return ErrorKind.RATE_LIMITED;
    }
    if (type.equals("invalid_request_error")
        || type.equals("not_found_error")
        || type.equals("request_too_large")) {
      return ErrorKind.INVALID_REQUEST;
    }
    return ErrorKind.API; // api_error, overloaded_error, server_error, and types added later
  }

  /** The error case of an HTTP status other than 2xx. */
  static ErrorKind statusKind(int status) {
    return switch (status) {
      case 400, 404, 413, 422 -> ErrorKind.INVALID_REQUEST;
      case 401, 403 -> ErrorKind.AUTH;
      case 429 -> ErrorKind.RATE_LIMITED;
      default -> ErrorKind.API;
    };
  }

  static String redact(String text, String key) {
    return KeyRedactor.redact(text, key);
  }

  static String describe(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
