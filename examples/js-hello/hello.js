// js-hello: a JavaScript module (componentize-js, world wasi:http/proxy) that calls the quick
// start's echo module through fetch. GET /?name=Ada answers `hello, Ada (echoed by example.echo)`.
//
// The engine routes a fetch to http://<namespace>.<module>/... through the proxy to that module;
// echo's Echo method takes and returns `message` (field 1) of a protobuf message.

const ECHO_URL = 'http://example.echo/echo.EchoService/Echo';

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

async function handle(request) {
  const name = new URL(request.url).searchParams.get('name') || 'world';
  const echoed = await fetch(ECHO_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/protobuf' },
    body: encodeMessage(`hello, ${name}`),
  });
  if (!echoed.ok) {
    return new Response(`example.echo answered ${echoed.status}\n`, { status: 502 });
  }
  const message = decodeMessage(new Uint8Array(await echoed.arrayBuffer()));
  return new Response(`${message} (echoed by example.echo)\n`, {
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}

// echo.EchoRequest{message}: field 1, wire type 2 (tag 0x0a), varint length, UTF-8 bytes.
function encodeMessage(text) {
  const bytes = new TextEncoder().encode(text);
  const length = [];
  for (let n = bytes.length; ; n >>>= 7) {
    if (n < 0x80) {
      length.push(n);
      break;
    }
    length.push((n & 0x7f) | 0x80);
  }
  const out = new Uint8Array(1 + length.length + bytes.length);
  out.set([0x0a, ...length], 0);
  out.set(bytes, 1 + length.length);
  return out;
}

// The `message` of an echo.EchoResponse (the only field echo sets); '' when absent.
function decodeMessage(bytes) {
  if (bytes.length === 0 || bytes[0] !== 0x0a) {
    return '';
  }
  let length = 0;
  let shift = 0;
  let pos = 1;
  for (; pos < bytes.length; pos++) {
    length |= (bytes[pos] & 0x7f) << shift;
    shift += 7;
    if ((bytes[pos] & 0x80) === 0) {
      pos++;
      break;
    }
  }
  return new TextDecoder().decode(bytes.subarray(pos, pos + length));
}
