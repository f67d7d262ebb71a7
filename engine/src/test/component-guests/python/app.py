"""The Python component test guest (componentize-py, world wasi:http/proxy).

  GET /call?to=http://ns.module/path   POSTs "hello from python" to `to` and answers with the
                                       response's status and body
  any method /throw                    raises RuntimeError("boom from python")
  anything else                        answers 200 with the request body streamed back chunk by
                                       chunk, x-echo-method and x-echo-path (path and query)
"""

from urllib.parse import parse_qs, urlsplit

from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports import outgoing_handler, streams, types

CHUNK = 64 * 1024
WRITE = 4096


def method_name(method: types.Method) -> str:
    if isinstance(method, types.Method_Other):
        return method.value
    return type(method).__name__.removeprefix("Method_").upper()


def copy(source: streams.InputStream, sink: streams.OutputStream) -> None:
    """Copies until the source ends, one chunk in memory at a time."""
    while True:
        try:
            chunk = source.blocking_read(CHUNK)
        except Err as err:
            if isinstance(err.value, streams.StreamError_Closed):
                return
            raise
        # blocking-write-and-flush takes at most 4096 bytes a call (wasi:io/streams).
        for offset in range(0, len(chunk), WRITE):
            sink.blocking_write_and_flush(chunk[offset : offset + WRITE])


def respond(response_out, status, headers, source_body) -> None:
    response = types.OutgoingResponse(types.Fields.from_list(headers))
    response.set_status_code(status)
    body = response.body()
    types.ResponseOutparam.set(response_out, Ok(response))
    sink = body.write()
    if source_body is not None:
        source = source_body.stream()
        copy(source, sink)
        source.__exit__(None, None, None)
    sink.__exit__(None, None, None)
    types.OutgoingBody.finish(body, None)


def call(to: str):
    target = urlsplit(to)
    request = types.OutgoingRequest(types.Fields())
    request.set_method(types.Method_Post())
    request.set_scheme(types.Scheme_Https() if target.scheme == "https" else types.Scheme_Http())
    request.set_authority(target.netloc)
    request.set_path_with_query((target.path or "/") + (f"?{target.query}" if target.query else ""))
    body = request.body()
    future = outgoing_handler.handle(request, None)
    sink = body.write()
    sink.blocking_write_and_flush(b"hello from python")
    sink.__exit__(None, None, None)
    types.OutgoingBody.finish(body, None)
    while True:
        result = future.get()
        if result is not None:
            break
        future.subscribe().block()
    # option<result<result<incoming-response, error-code>>>: the outer result is Err only when
    # the value was already taken.
    inner = result.value
    if isinstance(inner, Err):
        raise RuntimeError(f"outgoing request to {to} failed: {inner.value}")
    return inner.value


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: types.IncomingRequest, response_out: types.ResponseOutparam) -> None:
        path_with_query = request.path_with_query() or "/"
        path = urlsplit(path_with_query).path
        if path == "/throw":
            raise RuntimeError("boom from python")
        if path == "/call":
            to = parse_qs(urlsplit(path_with_query).query).get("to", [None])[0]
            if not to:
                respond(response_out, 400, [("x-guest", b"python")], None)
                return
            upstream = call(to)
            respond(
                response_out,
                upstream.status(),
                [("x-guest", b"python"), ("x-called", to.encode())],
                upstream.consume(),
            )
            return
        respond(
            response_out,
            200,
            [
                ("x-guest", b"python"),
                ("x-echo-method", method_name(request.method()).encode()),
                ("x-echo-path", path_with_query.encode()),
            ],
            request.consume(),
        )
