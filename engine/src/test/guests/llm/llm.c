/*
 * llm: a test guest using wruntime:llm through the C SDK (wruntime_llm.h). Paths:
 *   GET /complete   one completion with every part of a request: model, system, temperature, a
 *                   tool, and messages with text, a tool-use and a tool-result; answers 200 with
 *                   "stop=<case> in=<tokens> out=<tokens>" and one line per content part
 *                   ("text:<text>", "tool-use:<id>:<name>:<input-json>")
 *   GET /big        asks for max-tokens 5000 (above the test's grant of 1000)
 *   GET /default    no model (none: the configured default)
 *   GET /stream     the /complete request streamed; one line per event ("text-delta:<text>",
 *                   "tool-use:<id>:<name>:<input-json>", "usage:<in>:<out>", "stop:<case>"), then
 *                   "end"
 *   GET /streams    opens streams without closing them until one fails; answers 503 with
 *                   "<n> open; <error name>: <message>" (or 200 "no limit" after 10)
 *   GET /abi/complete         calls complete itself (not through the SDK) with a model string
 *                             whose pointer is near 2^32: the engine must fail the request
 *   GET /abi/complete-stream  calls complete-stream with a message list longer than memory
 * A failed completion answers 502 with "<error name>: <message>", or for rate-limited
 * "rate-limited: retry-after=<seconds>" (or "rate-limited: no retry-after").
 */
#include <stdio.h>
#include <string.h>

#include <wruntime.h>
#include <wruntime_llm.h>

/* The raw imports, as sdk/c/src/llm.c declares them, to pass what the SDK never would. */
__attribute__((import_module("wruntime:llm/inference@0.1.0"), import_name("complete"))) void
wr_abi_llm_complete(int32_t model_some, const char *model, int32_t model_len, int32_t system_some,
                    const char *system, int32_t system_len, const void *messages,
                    int32_t message_count, int32_t max_tokens, int32_t temperature_some,
                    float temperature, const void *tools, int32_t tool_count, uint8_t *ret);

__attribute__((import_module("wruntime:llm/inference@0.1.0"), import_name("complete-stream"))) void
wr_abi_llm_complete_stream(int32_t model_some, const char *model, int32_t model_len,
                           int32_t system_some, const char *system, int32_t system_len,
                           const void *messages, int32_t message_count, int32_t max_tokens,
                           int32_t temperature_some, float temperature, const void *tools,
                           int32_t tool_count, uint8_t *ret);

static uint8_t ret_area[36] __attribute__((aligned(4)));
static const uint8_t one_message[12] __attribute__((aligned(4)));

static void text(wr_response_t *response, int status, const char *body) {
  wr_respond(response, status, "text/plain; charset=utf-8", body, strlen(body), NULL);
}

static void failed(wr_response_t *response, const wr_llm_error_t *err) {
  char body[512];
  if (err->kind == WR_LLM_E_RATE_LIMITED) {
    if (err->has_retry_after) {
      snprintf(body, sizeof body, "rate-limited: retry-after=%u", (unsigned)err->retry_after);
    } else {
      snprintf(body, sizeof body, "rate-limited: no retry-after");
    }
  } else {
    snprintf(body, sizeof body, "%s: %s", wr_llm_error_name(err->kind), err->message);
  }
  text(response, 502, body);
}

static void complete(wr_response_t *response, const char *model, uint32_t max_tokens,
                     int mode) {
  wr_llm_content_t question[] = {WR_LLM_TEXT_CONTENT("How many A1 are in stock?")};
  wr_llm_content_t call[] = {
      WR_LLM_TEXT_CONTENT("Let me look."),
      {.kind = WR_LLM_TOOL_USE, .id = "call_1", .name = "lookup", .input_json = "{\"sku\":\"A1\"}"},
  };
  wr_llm_content_t result[] = {
      {.kind = WR_LLM_TOOL_RESULT, .id = "call_1", .text = "{\"stock\":3}", .is_error = 0},
  };
  wr_llm_message_t messages[] = {
      {.role = WR_LLM_USER, .content = question, .count = 1},
      {.role = WR_LLM_ASSISTANT, .content = call, .count = 2},
      {.role = WR_LLM_USER, .content = result, .count = 1},
  };
  wr_llm_tool_t tools[] = {{.name = "lookup",
                            .description = "Stock of a SKU",
                            .input_schema_json = "{\"type\":\"object\",\"properties\":{\"sku\":"
                                                 "{\"type\":\"string\"}}}"}};
  wr_llm_request_t request = {.model = model,
                              .system = "Be brief.",
                              .messages = messages,
                              .message_count = 3,
                              .max_tokens = max_tokens,
                              .has_temperature = 1,
                              .temperature = 0.5f,
                              .tools = tools,
                              .tool_count = 1};
  wr_llm_error_t err;
  char body[4096];
  if (mode == 1) {
    wr_llm_stream_t *stream = wr_llm_complete_stream(&request, &err);
    if (stream == NULL) {
      failed(response, &err);
      return;
    }
    size_t at = 0;
    wr_llm_event_t event;
    int more;
    while ((more = wr_llm_stream_next(stream, &event, &err)) == 1 && at < sizeof body) {
      switch (event.kind) {
        case WR_LLM_EVENT_TEXT_DELTA:
          at += (size_t)snprintf(body + at, sizeof body - at, "text-delta:%s\n", event.text);
          break;
        case WR_LLM_EVENT_TOOL_USE:
          at += (size_t)snprintf(body + at, sizeof body - at, "tool-use:%s:%s:%s\n", event.id,
                                 event.name, event.input_json);
          break;
        case WR_LLM_EVENT_USAGE:
          at += (size_t)snprintf(body + at, sizeof body - at, "usage:%u:%u\n",
                                 (unsigned)event.input_tokens, (unsigned)event.output_tokens);
          break;
        default:
          at += (size_t)snprintf(body + at, sizeof body - at, "stop:%d\n",
                                 (int)event.stop_reason);
          break;
      }
      wr_llm_event_free(&event);
    }
    wr_llm_stream_close(stream);
    if (more < 0) {
      failed(response, &err);
      return;
    }
    if (at < sizeof body) {
      snprintf(body + at, sizeof body - at, "end\n");
    }
    text(response, 200, body);
    return;
  }
  if (mode == 2) {
    for (int i = 0; i < 10; i++) {
      if (wr_llm_complete_stream(&request, &err) == NULL) {
        snprintf(body, sizeof body, "%d open; %s: %s", i, wr_llm_error_name(err.kind),
                 err.message);
        text(response, 503, body);
        return; /* the engine closes the open streams when the request ends */
      }
    }
    text(response, 200, "no limit");
    return;
  }
  wr_llm_response_t answer;
  if (wr_llm_complete(&request, &answer, &err) != 0) {
    failed(response, &err);
    return;
  }
  size_t at = (size_t)snprintf(body, sizeof body, "stop=%d in=%u out=%u\n",
                               (int)answer.stop_reason, (unsigned)answer.input_tokens,
                               (unsigned)answer.output_tokens);
  for (size_t i = 0; i < answer.count && at < sizeof body; i++) {
    const wr_llm_content_t *c = &answer.content[i];
    if (c->kind == WR_LLM_TOOL_USE) {
      at += (size_t)snprintf(body + at, sizeof body - at, "tool-use:%s:%s:%s\n", c->id, c->name,
                             c->input_json);
    } else {
      at += (size_t)snprintf(body + at, sizeof body - at, "text:%s\n", c->text);
    }
  }
  wr_llm_response_free(&answer);
  text(response, 200, body);
}

void wr_handle(wr_request_t *request, wr_response_t *response) {
  const char *path = wr_request_path(request);
  if (strcmp(path, "/complete") == 0) {
    complete(response, "test-model", 100, 0);
  } else if (strcmp(path, "/big") == 0) {
    complete(response, "test-model", 5000, 0);
  } else if (strcmp(path, "/default") == 0) {
    complete(response, NULL, 100, 0);
  } else if (strcmp(path, "/stream") == 0) {
    complete(response, "test-model", 100, 1);
  } else if (strcmp(path, "/abi/complete") == 0) {
    wr_abi_llm_complete(1, (const char *)(uintptr_t)0xFFFFFF00u, 16, 0, NULL, 0, NULL, 0, 100, 0,
                        0.0f, NULL, 0, ret_area);
    text(response, 200, "the engine accepted a model outside memory");
  } else if (strcmp(path, "/abi/complete-stream") == 0) {
    wr_abi_llm_complete_stream(1, "test-model", 10, 0, NULL, 0, one_message, 0x7FFFFFFF, 100, 0,
                               0.0f, NULL, 0, ret_area);
    text(response, 200, "the engine accepted a message list longer than memory");
  } else if (strcmp(path, "/streams") == 0) {
    complete(response, "test-model", 100, 2);
  } else {
    text(response, 404, "unknown path");
  }
}
