/*
 * caller: on any request (e.g. `GET /run`), calls the echo module's Echo RPC,
 * `POST http://example.echo/echo.EchoService/Echo` with an `echo.EchoRequest{message: "hello"}`,
 * decodes the `echo.EchoResponse` and answers with its message as text (`hello\n`). With
 * `accept: application/protobuf` it answers with the echo's status and raw EchoResponse instead.
 * When the call itself fails it answers 502 with a text body naming the error.
 */
#include <stdio.h>
#include <string.h>

#include <wruntime.h>

#define ECHO_URL "http://example.echo/echo.EchoService/Echo"
#define PROTOBUF "application/protobuf"
#define CHUNK_SIZE (16 * 1024)

static unsigned char chunk[CHUNK_SIZE];

/* Encodes EchoRequest{message} (field 1, wire type 2: tag 0x0a, varint length, bytes). */
static size_t encode_echo_request(const char *message, unsigned char *out, size_t cap) {
  size_t len = strlen(message);
  size_t pos = 0;
  if (cap < len + 6) {
    return 0;
  }
  out[pos++] = 0x0a;
  size_t v = len;
  do {
    unsigned char byte = v & 0x7f;
    v >>= 7;
    out[pos++] = v != 0 ? (unsigned char)(byte | 0x80) : byte;
  } while (v != 0);
  memcpy(out + pos, message, len);
  return pos + len;
}

static void respond_bad_gateway(wr_response_t *response, const wr_error_t *err) {
  char text[sizeof err->message + 96];
  /* For wasi:http error codes the message starts with the code's name already. */
  int n = err->code >= 0 ? snprintf(text, sizeof text, "call to %s failed: %s\n", ECHO_URL,
                                    err->message)
                         : snprintf(text, sizeof text, "call to %s failed: %s: %s\n", ECHO_URL,
                                    wr_error_name(err->code), err->message);
  wr_log(WR_WARN, "%.*s", n > 0 ? n - 1 : 0, text);
  wr_respond(response, 502, "text/plain; charset=utf-8", text, strlen(text), NULL);
}

/* Decodes EchoResponse.message (field 1, length-delimited) from a small message; -1 if absent. */
static long decode_echo_message(const unsigned char *in, size_t len, const unsigned char **text) {
  size_t pos = 0;
  while (pos < len) {
    unsigned long key = 0, v = 0;
    int shift = 0;
    while (pos < len && shift < 35) {
      unsigned char b = in[pos++];
      key |= (unsigned long)(b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    if ((key & 7) != 2) return -1; /* EchoResponse has only length-delimited fields */
    shift = 0;
    while (pos < len && shift < 35) {
      unsigned char b = in[pos++];
      v |= (unsigned long)(b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    if (v > len - pos) return -1;
    if ((key >> 3) == 1) {
      *text = in + pos;
      return (long)v;
    }
    pos += v;
  }
  return -1;
}

/* Answers with the echoed message as text: reads the (small) EchoResponse whole first. */
static void respond_text(wr_response_t *response, wr_client_response_t *reply) {
  wr_error_t err;
  size_t used = 0;
  for (;;) {
    ssize_t n = wr_client_response_read(reply, chunk + used, sizeof chunk - used, &err);
    if (n == 0) break;
    if (n < 0 || (size_t)n == sizeof chunk - used) {
      const char *msg = n < 0 ? "reading the echo's response failed\n" : "echo's response too large\n";
      wr_respond(response, 502, "text/plain; charset=utf-8", msg, strlen(msg), NULL);
      return;
    }
    used += (size_t)n;
  }
  int status = wr_client_response_status(reply);
  const unsigned char *text = NULL;
  long len = decode_echo_message(chunk, used, &text);
  if (status != 200 || len < 0) {
    char msg[96];
    snprintf(msg, sizeof msg, "echo answered %d without an EchoResponse message\n", status);
    wr_respond(response, 502, "text/plain; charset=utf-8", msg, strlen(msg), NULL);
    return;
  }
  static char out[CHUNK_SIZE + 1];
  memcpy(out, text, (size_t)len);
  out[len] = '\n';
  wr_respond(response, 200, "text/plain; charset=utf-8", out, (size_t)len + 1, NULL);
}

void wr_handle(wr_request_t *request, wr_response_t *response) {
  wr_error_t err;
  char accept[128];
  int wants_text = !(wr_request_header(request, "accept", accept, sizeof accept) > 0 &&
                     strstr(accept, "application/protobuf") != NULL);
  unsigned char body[64];
  size_t body_len = encode_echo_request("hello", body, sizeof body);

  wr_client_request_t *call = wr_client_request_new("POST", ECHO_URL, &err);
  if (call == NULL) {
    respond_bad_gateway(response, &err);
    return;
  }
  if (wr_client_request_header(call, "content-type", PROTOBUF, &err) != 0 ||
      wr_client_request_write(call, body, body_len, &err) != 0) {
    wr_client_request_abort(call);
    respond_bad_gateway(response, &err);
    return;
  }
  wr_client_response_t *reply = wr_client_request_finish(call, &err);
  if (reply == NULL) {
    respond_bad_gateway(response, &err);
    return;
  }

  if (wants_text) {
    respond_text(response, reply);
    wr_client_response_free(reply);
    return;
  }
  if (wr_response_header(response, "content-type", PROTOBUF, &err) != 0 ||
      wr_response_start(response, wr_client_response_status(reply), &err) != 0) {
    wr_log(WR_ERROR, "starting the response failed: %s", err.message);
    wr_client_response_free(reply);
    return;
  }
  for (;;) {
    ssize_t n = wr_client_response_read(reply, chunk, sizeof chunk, &err);
    if (n == 0) {
      break;
    }
    if (n < 0) {
      wr_log(WR_ERROR, "reading the echo's response failed: %s", err.message);
      wr_response_abort(response);
      wr_client_response_free(reply);
      return;
    }
    if (wr_response_write(response, chunk, (size_t)n, &err) != 0) {
      wr_log(WR_WARN, "writing the response body failed: %s", err.message);
      wr_client_response_free(reply);
      return;
    }
  }
  wr_client_response_free(reply);
  if (wr_response_finish(response, &err) != 0) {
    wr_log(WR_WARN, "finishing the response failed: %s", err.message);
  }
}
