// The JavaScript component test guest (componentize-js, world wasi:http/proxy): a fetch-event
// handler.
//   GET /call?to=http://ns.module/path   POSTs "hello from js" to `to` and answers with the
//                                        response's status and body
//   any method /throw                    throws Error("boom from js")
//   anything else                        answers 200 with the request body streamed back as it
//                                        arrives, x-echo-method and x-echo-path (path and query)
addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

async function handle(request) {
  const url = new URL(request.url);
  if (url.pathname === '/throw') {
    throw new Error('boom from js');
  }
  if (url.pathname === '/call') {
    const to = url.searchParams.get('to');
    if (!to) {
      return new Response('missing query parameter: to\n', { status: 400 });
    }
    const upstream = await fetch(to, { method: 'POST', body: 'hello from js' });
    return new Response(upstream.body, {
      status: upstream.status,
      headers: { 'x-guest': 'js', 'x-called': to },
    });
  }
  // A GET or HEAD request has no body to echo (StarlingMonkey refuses to stream its empty one).
  const bodyless = request.method === 'GET' || request.method === 'HEAD';
  return new Response(bodyless ? null : request.body, {
    headers: {
      'x-guest': 'js',
      'x-echo-method': request.method,
      'x-echo-path': url.pathname + url.search,
    },
  });
}
