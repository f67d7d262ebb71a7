/*
 * LLM completions: wruntime:llm/inference@0.1.0 lowered by the Canonical ABI onto a core module.
 *
 * Layouts used below (wasm32, all align 4):
 *   string: (ptr, len), 8 bytes.
 *   content = variant { text(string), tool-use(tool-call), tool-result(tool-result) }: 28 bytes,
 *     u8 case at 0, payload at 4 (tool-call: id, name, input-json strings; tool-result:
 *     tool-call-id and content strings, is-error u8 at 16 of the payload).
 *   message = record { role: u8 enum, content: list<content> }: 12 bytes (list at 4).
 *   tool = record { name, description, input-schema-json }: 24 bytes.
 *   complete(request) flattens request into 13 values (model and system as option<string>:
 *     i32 case, ptr, len; messages ptr, len; max-tokens; temperature as option<f32>: i32 case,
 *     f32; tools ptr, len) plus a return area of 24 bytes for result<response, error>:
 *     [0] u8 (0 ok, 1 err); ok: [4] content ptr, [8] count, [12] u8 stop-reason, [16] input
 *     tokens, [20] output tokens; err: [4] u8 case, [8] string (ptr, len), or for rate-limited
 *     [8] u8 option case and [12] u32 seconds. Lists and strings the host returns come from our
 *     cabi_realloc: ours to free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wasi_abi.h"
#include "wruntime_llm.h"

#define WR_LLM "wruntime:llm/inference@0.1.0"

WR_IMPORT(WR_LLM, "complete")
void wr_abi_llm_complete(int32_t model_some, const char *model, int32_t model_len,
                         int32_t system_some, const char *system, int32_t system_len,
                         const void *messages, int32_t message_count, int32_t max_tokens,
                         int32_t temperature_some, float temperature, const void *tools,
                         int32_t tool_count, uint8_t *ret);

WR_IMPORT(WR_LLM, "complete-stream")
void wr_abi_llm_complete_stream(int32_t model_some, const char *model, int32_t model_len,
                                int32_t system_some, const char *system, int32_t system_len,
                                const void *messages, int32_t message_count, int32_t max_tokens,
                                int32_t temperature_some, float temperature, const void *tools,
                                int32_t tool_count, uint8_t *ret);

WR_IMPORT(WR_LLM, "[method]completion-stream.next")
void wr_abi_llm_stream_next(int32_t self, uint8_t *ret);

WR_IMPORT(WR_LLM, "[resource-drop]completion-stream")
void wr_abi_llm_stream_drop(int32_t self);

struct wr_llm_stream {
  int32_t handle;
};

struct wr_abi_str {
  const char *ptr;
  uint32_t len;
};

struct wr_abi_content {
  uint8_t kind;
  uint8_t pad[3];
  union {
    struct wr_abi_str text;
    struct {
      struct wr_abi_str id, name, input;
    } use;
    struct {
      struct wr_abi_str id, content;
      uint8_t is_error;
    } result;
  } u;
};
_Static_assert(sizeof(struct wr_abi_content) == 28, "content is 28 bytes");

struct wr_abi_message {
  uint8_t role;
  uint8_t pad[3];
  const struct wr_abi_content *content;
  uint32_t count;
};
_Static_assert(sizeof(struct wr_abi_message) == 12, "message is 12 bytes");

struct wr_abi_tool {
  struct wr_abi_str name, description, schema;
};
_Static_assert(sizeof(struct wr_abi_tool) == 24, "tool is 24 bytes");

static struct wr_abi_str str(const char *s) {
  struct wr_abi_str out = {s != NULL ? s : "", s != NULL ? (uint32_t)strlen(s) : 0};
  return out;
}

static int fail(wr_llm_error_t *err, int kind, const char *message, uint32_t len) {
  if (err != NULL) {
    err->kind = kind;
    err->has_retry_after = 0;
    err->retry_after = 0;
    snprintf(err->message, sizeof err->message, "%.*s", (int)len, message);
  }
  return -1;
}

static uint32_t load_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

const char *wr_llm_error_name(int kind) {
  switch (kind) {
    case WR_LLM_E_INVALID_REQUEST:
      return "invalid-request";
    case WR_LLM_E_AUTH:
      return "auth";
    case WR_LLM_E_RATE_LIMITED:
      return "rate-limited";
    case WR_LLM_E_API:
      return "api";
    case WR_LLM_E_LIMIT_EXCEEDED:
      return "limit-exceeded";
    default:
      return wr_error_name(kind);
  }
}

/* Takes a host string (ptr, len) at `p` as a NUL-terminated one; NULL when out of memory. */
static char *take(const uint8_t *p) {
  return wr__take_string((uint8_t *)(uintptr_t)load_u32(p), load_u32(p + 4));
}

void wr_llm_response_free(wr_llm_response_t *response) {
  if (response == NULL || response->content == NULL) {
    return;
  }
  for (size_t i = 0; i < response->count; i++) {
    wr_llm_content_t *c = &response->content[i];
    free((char *)c->text);
    free((char *)c->id);
    free((char *)c->name);
    free((char *)c->input_json);
  }
  free(response->content);
  response->content = NULL;
  response->count = 0;
}

/* Decodes an error at `e` (u8 case, payload at 4) into err and frees its host string; -1. */
static int take_error(const uint8_t *e, wr_llm_error_t *err) {
  int kind = e[0];
  if (kind == WR_LLM_E_RATE_LIMITED) {
    fail(err, kind, "", 0);
    if (err != NULL && e[4] != 0) {
      err->has_retry_after = 1;
      err->retry_after = load_u32(e + 8);
    }
    return -1;
  }
  uint8_t *text = (uint8_t *)(uintptr_t)load_u32(e + 4);
  uint32_t len = load_u32(e + 8);
  fail(err, kind, (const char *)text, len);
  if (len > 0) {
    free(text);
  }
  return -1;
}

/* Lowers `request` and calls complete (stream = 0) or complete-stream (1) with `ret`. */
static int call(const wr_llm_request_t *request, int stream, uint8_t *ret, wr_llm_error_t *err) {
  size_t parts = 0;
  for (size_t i = 0; i < request->message_count; i++) {
    parts += request->messages[i].count;
  }
  struct wr_abi_message *messages = calloc(request->message_count + 1, sizeof *messages);
  struct wr_abi_content *contents = calloc(parts + 1, sizeof *contents);
  struct wr_abi_tool *tools = calloc(request->tool_count + 1, sizeof *tools);
  if (messages == NULL || contents == NULL || tools == NULL) {
    free(messages);
    free(contents);
    free(tools);
    return fail(err, WR_E_NOMEM, "out of memory", 13);
  }
  size_t next = 0;
  for (size_t i = 0; i < request->message_count; i++) {
    const wr_llm_message_t *m = &request->messages[i];
    messages[i].role = (uint8_t)m->role;
    messages[i].content = &contents[next];
    messages[i].count = (uint32_t)m->count;
    for (size_t j = 0; j < m->count; j++, next++) {
      const wr_llm_content_t *c = &m->content[j];
      struct wr_abi_content *out = &contents[next];
      out->kind = (uint8_t)c->kind;
      switch (c->kind) {
        case WR_LLM_TOOL_USE:
          out->u.use.id = str(c->id);
          out->u.use.name = str(c->name);
          out->u.use.input = str(c->input_json);
          break;
        case WR_LLM_TOOL_RESULT:
          out->u.result.id = str(c->id);
          out->u.result.content = str(c->text);
          out->u.result.is_error = c->is_error != 0;
          break;
        case WR_LLM_TEXT:
        default:
          out->kind = WR_LLM_TEXT;
          out->u.text = str(c->text);
          break;
      }
    }
  }
  for (size_t i = 0; i < request->tool_count; i++) {
    tools[i].name = str(request->tools[i].name);
    tools[i].description = str(request->tools[i].description);
    tools[i].schema = str(request->tools[i].input_schema_json);
  }
  struct wr_abi_str model = str(request->model);
  struct wr_abi_str system = str(request->system);
  if (stream) {
    wr_abi_llm_complete_stream(request->model != NULL, model.ptr, (int32_t)model.len,
                               request->system != NULL, system.ptr, (int32_t)system.len, messages,
                               (int32_t)request->message_count, (int32_t)request->max_tokens,
                               request->has_temperature != 0,
                               request->has_temperature ? request->temperature : 0.0f, tools,
                               (int32_t)request->tool_count, ret);
  } else {
    wr_abi_llm_complete(request->model != NULL, model.ptr, (int32_t)model.len,
                        request->system != NULL, system.ptr, (int32_t)system.len, messages,
                        (int32_t)request->message_count, (int32_t)request->max_tokens,
                        request->has_temperature != 0,
                        request->has_temperature ? request->temperature : 0.0f, tools,
                        (int32_t)request->tool_count, ret);
  }
  free(messages);
  free(contents);
  free(tools);
  return ret[0] != 0 ? take_error(ret + 4, err) : 0;
}

int wr_llm_complete(const wr_llm_request_t *request, wr_llm_response_t *response,
                    wr_llm_error_t *err) {
  memset(response, 0, sizeof *response);
  _Alignas(4) uint8_t ret[24];
  if (call(request, 0, ret, err) != 0) {
    return -1;
  }
  uint8_t *list = (uint8_t *)(uintptr_t)load_u32(ret + 4);
  uint32_t count = load_u32(ret + 8);
  response->stop_reason = (wr_llm_stop_reason_t)ret[12];
  response->input_tokens = load_u32(ret + 16);
  response->output_tokens = load_u32(ret + 20);
  response->content = calloc(count + 1, sizeof *response->content);
  int nomem = response->content == NULL;
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *at = list + (size_t)i * 28;
    const uint8_t *payload = at + 4;
    wr_llm_content_t c = {.kind = (wr_llm_content_kind_t)at[0]};
    switch (at[0]) {
      case WR_LLM_TOOL_USE:
        c.id = take(payload);
        c.name = take(payload + 8);
        c.input_json = take(payload + 16);
        nomem |= c.id == NULL || c.name == NULL || c.input_json == NULL;
        break;
      case WR_LLM_TOOL_RESULT:
        c.id = take(payload);
        c.text = take(payload + 8);
        c.is_error = payload[16];
        nomem |= c.id == NULL || c.text == NULL;
        break;
      default:
        c.text = take(payload);
        nomem |= c.text == NULL;
        break;
    }
    if (response->content != NULL) {
      response->content[i] = c;
      response->count = i + 1;
    } else {
      free((char *)c.text);
      free((char *)c.id);
      free((char *)c.name);
      free((char *)c.input_json);
    }
  }
  if (count > 0) {
    free(list);
  }
  if (nomem) {
    wr_llm_response_free(response);
    return fail(err, WR_E_NOMEM, "out of memory", 13);
  }
  return 0;
}

wr_llm_stream_t *wr_llm_complete_stream(const wr_llm_request_t *request, wr_llm_error_t *err) {
  _Alignas(4) uint8_t ret[16];
  if (call(request, 1, ret, err) != 0) {
    return NULL;
  }
  int32_t handle = (int32_t)load_u32(ret + 4);
  wr_llm_stream_t *stream = malloc(sizeof *stream);
  if (stream == NULL) {
    wr_abi_llm_stream_drop(handle);
    fail(err, WR_E_NOMEM, "out of memory", 13);
    return NULL;
  }
  stream->handle = handle;
  return stream;
}

int wr_llm_stream_next(wr_llm_stream_t *stream, wr_llm_event_t *event, wr_llm_error_t *err) {
  memset(event, 0, sizeof *event);
  _Alignas(4) uint8_t ret[36];
  wr_abi_llm_stream_next(stream->handle, ret);
  if (ret[0] != 0) {
    return take_error(ret + 4, err);
  }
  if (ret[4] == 0) {
    return 0;
  }
  const uint8_t *payload = ret + 12;
  event->kind = (wr_llm_event_kind_t)ret[8];
  switch (ret[8]) {
    case WR_LLM_EVENT_TEXT_DELTA:
      event->text = take(payload);
      if (event->text == NULL) {
        return fail(err, WR_E_NOMEM, "out of memory", 13);
      }
      break;
    case WR_LLM_EVENT_TOOL_USE:
      event->id = take(payload);
      event->name = take(payload + 8);
      event->input_json = take(payload + 16);
      if (event->id == NULL || event->name == NULL || event->input_json == NULL) {
        wr_llm_event_free(event);
        return fail(err, WR_E_NOMEM, "out of memory", 13);
      }
      break;
    case WR_LLM_EVENT_USAGE:
      event->input_tokens = load_u32(payload);
      event->output_tokens = load_u32(payload + 4);
      break;
    default:
      event->stop_reason = (wr_llm_stop_reason_t)payload[0];
      break;
  }
  return 1;
}

void wr_llm_event_free(wr_llm_event_t *event) {
  if (event != NULL) {
    free(event->text);
    free(event->id);
    free(event->name);
    free(event->input_json);
    event->text = event->id = event->name = event->input_json = NULL;
  }
}

void wr_llm_stream_close(wr_llm_stream_t *stream) {
  if (stream != NULL) {
    wr_abi_llm_stream_drop(stream->handle);
    free(stream);
  }
}
