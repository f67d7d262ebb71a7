/*
 * wruntime C guest SDK: LLM completions through wruntime:llm/inference@0.1.0
 * (wit/llm/inference.wit).
 *
 * The module's [[module]] entry must grant it: [module.capabilities.llm] (provider, base_url,
 * api_key_file, max_tokens). A module that uses any function here imports wruntime:llm and fails
 * to load without that grant. The engine calls the provider with its own API key: the module never
 * sees it.
 *
 *     wr_llm_content_t hello = WR_LLM_TEXT_CONTENT("Say hello");
 *     wr_llm_message_t message = {.role = WR_LLM_USER, .content = &hello, .count = 1};
 *     wr_llm_request_t request = {.model = "claude-sonnet-4-5", .messages = &message,
 *                                 .message_count = 1, .max_tokens = 256};
 *     wr_llm_response_t response;
 *     wr_llm_error_t err;
 *     if (wr_llm_complete(&request, &response, &err) != 0) {
 *       ... err.kind is WR_LLM_E_AUTH, WR_LLM_E_RATE_LIMITED (err.has_retry_after), ...
 *     }
 *     ... response.content[i].text ...
 *     wr_llm_response_free(&response);
 *
 * Streamed, the same request gives events as the provider sends them:
 *
 *     wr_llm_stream_t *stream = wr_llm_complete_stream(&request, &err);
 *     wr_llm_event_t event;
 *     int more;
 *     while ((more = wr_llm_stream_next(stream, &event, &err)) == 1) {
 *       ... event.kind: WR_LLM_EVENT_TEXT_DELTA (event.text), _TOOL_USE, _USAGE, _STOP ...
 *       wr_llm_event_free(&event);
 *     }
 *     wr_llm_stream_close(stream);   (more is 0 at the end, -1 on an error)
 */
#ifndef WRUNTIME_LLM_H
#define WRUNTIME_LLM_H

#include <stddef.h>
#include <stdint.h>

#include "wruntime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Who wrote a message. */
typedef enum wr_llm_role {
  WR_LLM_USER = 0,
  WR_LLM_ASSISTANT = 1,
} wr_llm_role_t;

/** The kinds of message parts. */
typedef enum wr_llm_content_kind {
  /** Text: `text`. */
  WR_LLM_TEXT = 0,
  /** The model asked for a tool call: `id`, `name`, `input_json` (a JSON object). */
  WR_LLM_TOOL_USE = 1,
  /** The result of a tool call, sent back: `id` (the call's), `text`, `is_error`. */
  WR_LLM_TOOL_RESULT = 2,
} wr_llm_content_kind_t;

/** A part of a message; the fields its kind does not use are ignored (NULL in responses). */
typedef struct wr_llm_content {
  wr_llm_content_kind_t kind;
  const char *text;
  const char *id;
  const char *name;
  const char *input_json;
  int is_error;
} wr_llm_content_t;

#define WR_LLM_TEXT_CONTENT(t) ((wr_llm_content_t){.kind = WR_LLM_TEXT, .text = (t)})

typedef struct wr_llm_message {
  wr_llm_role_t role;
  const wr_llm_content_t *content;
  size_t count;
} wr_llm_message_t;

/** A tool the model may call. */
typedef struct wr_llm_tool {
  const char *name;
  const char *description;
  /** The JSON schema of the tool's input (a JSON object). */
  const char *input_schema_json;
} wr_llm_tool_t;

typedef struct wr_llm_request {
  /** The provider's model name. */
  const char *model;
  /** The system prompt, or NULL. */
  const char *system;
  const wr_llm_message_t *messages;
  size_t message_count;
  /** At most the grant's max_tokens: a larger value is refused (WR_LLM_E_INVALID_REQUEST). */
  uint32_t max_tokens;
  /** Whether `temperature` is given. */
  int has_temperature;
  float temperature;
  const wr_llm_tool_t *tools;
  size_t tool_count;
} wr_llm_request_t;

typedef enum wr_llm_stop_reason {
  WR_LLM_STOP_END_TURN = 0,
  WR_LLM_STOP_MAX_TOKENS = 1,
  WR_LLM_STOP_STOP_SEQUENCE = 2,
  WR_LLM_STOP_TOOL_USE = 3,
  WR_LLM_STOP_OTHER = 4,
} wr_llm_stop_reason_t;

/** A completion; its strings are owned by it until wr_llm_response_free. */
typedef struct wr_llm_response {
  wr_llm_content_t *content;
  size_t count;
  wr_llm_stop_reason_t stop_reason;
  uint32_t input_tokens;
  uint32_t output_tokens;
} wr_llm_response_t;

/** The cases of the interface's error, in WIT order; WR_E_NOMEM (< 0) is the SDK's own. */
typedef enum wr_llm_error_kind {
  /** The provider refused the request as malformed, or max_tokens is above the cap. */
  WR_LLM_E_INVALID_REQUEST = 0,
  /** The provider refused the engine's credentials. */
  WR_LLM_E_AUTH = 1,
  /** Too many requests; retry after `retry_after` seconds when `has_retry_after`. */
  WR_LLM_E_RATE_LIMITED = 2,
  /** Any other failure of the provider or of the connection to it. */
  WR_LLM_E_API = 3,
  /** A per-request cap was reached. */
  WR_LLM_E_LIMIT_EXCEEDED = 4,
} wr_llm_error_kind_t;

typedef struct wr_llm_error {
  int kind;
  int has_retry_after;
  uint32_t retry_after;
  /** The host's description (empty for WR_LLM_E_RATE_LIMITED), NUL-terminated, truncated. */
  char message[256];
} wr_llm_error_t;

/** The name of an error kind: "invalid-request", "auth", "rate-limited", "api", ... */
const char *wr_llm_error_name(int kind);

/**
 * Asks the provider for a completion of `request`. Returns 0 and fills `response` (free it with
 * wr_llm_response_free), or -1 and fills `err` when non-NULL.
 */
int wr_llm_complete(const wr_llm_request_t *request, wr_llm_response_t *response,
                    wr_llm_error_t *err);

/** Frees what wr_llm_complete put in `response`. */
void wr_llm_response_free(wr_llm_response_t *response);

typedef struct wr_llm_stream wr_llm_stream_t;

/** The kinds of stream events, in WIT order. */
typedef enum wr_llm_event_kind {
  /** More text: `text`. */
  WR_LLM_EVENT_TEXT_DELTA = 0,
  /** A whole tool call: `id`, `name`, `input_json`. */
  WR_LLM_EVENT_TOOL_USE = 1,
  /** The token usage: `input_tokens`, `output_tokens`. */
  WR_LLM_EVENT_USAGE = 2,
  /** The completion ended: `stop_reason`; the stream ends after it. */
  WR_LLM_EVENT_STOP = 3,
} wr_llm_event_kind_t;

/** One event of a stream; its strings are owned by it until wr_llm_event_free. */
typedef struct wr_llm_event {
  wr_llm_event_kind_t kind;
  char *text;
  char *id;
  char *name;
  char *input_json;
  uint32_t input_tokens;
  uint32_t output_tokens;
  wr_llm_stop_reason_t stop_reason;
} wr_llm_event_t;

/**
 * Starts a streamed completion of `request`. NULL on error (as wr_llm_complete, plus
 * WR_LLM_E_LIMIT_EXCEEDED when the request already has [limits] llm_streams streams open).
 */
wr_llm_stream_t *wr_llm_complete_stream(const wr_llm_request_t *request, wr_llm_error_t *err);

/** The next event: 1 and fills `event`; 0 once the stream ended; -1 and fills `err`. */
int wr_llm_stream_next(wr_llm_stream_t *stream, wr_llm_event_t *event, wr_llm_error_t *err);

/** Frees the strings of `event`. */
void wr_llm_event_free(wr_llm_event_t *event);

/** Closes the stream (its HTTP exchange ends) and frees it; NULL is allowed. */
void wr_llm_stream_close(wr_llm_stream_t *stream);

#ifdef __cplusplus
}
#endif

#endif
