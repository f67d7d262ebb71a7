/*
 * echo: answers every request with its own body, streamed through chunk by chunk (memory use
 * stays at one chunk whatever the body size), and the request's content-type.
 *
 * Served as the `echo` module of the quick start: `POST /echo.EchoService/Echo` with an
 * `echo.EchoRequest` returns the same bytes, which are also a valid `echo.EchoResponse`
 * (both messages are `string message = 1`).
 */
#include <wruntime.h>

#define CHUNK_SIZE (64 * 1024)

static unsigned char chunk[CHUNK_SIZE];

void wr_handle(wr_request_t *request, wr_response_t *response) {
  wr_error_t err;
  char content_type[512];
  ssize_t n = wr_request_header(request, "content-type", content_type, sizeof content_type);
  if (n >= (ssize_t)sizeof content_type) {
    wr_log(WR_WARN, "content-type of %zd bytes not echoed (limit %zu)", n,
           sizeof content_type - 1);
  } else if (n >= 0 && wr_response_header(response, "content-type", content_type, &err) != 0) {
    wr_log(WR_WARN, "content-type not echoed: %s", err.message);
  }
  if (wr_response_start(response, 200, &err) != 0) {
    wr_log(WR_ERROR, "starting the response failed: %s", err.message);
    return;
  }
  for (;;) {
    n = wr_request_read(request, chunk, sizeof chunk, &err);
    if (n == 0) {
      break;
    }
    if (n < 0) {
      wr_log(WR_ERROR, "reading the request body failed: %s", err.message);
      wr_response_abort(response);
      return;
    }
    if (wr_response_write(response, chunk, (size_t)n, &err) != 0) {
      wr_log(WR_WARN, "writing the response body failed: %s", err.message);
      return;
    }
  }
  if (wr_response_finish(response, &err) != 0) {
    wr_log(WR_WARN, "finishing the response failed: %s", err.message);
  }
}
