// The componentize-js guest's handler (a fetch-event listener) run in Node, for the ratio in
// `bin/wr-benchmark components`: the fetch event is dispatched in-process with Node's own
// Request/Response (no HTTP server, as the engine's request figures have none), the response body
// read whole and checked.
//
//   node fetch-handler.mjs GUEST_JS REQUESTS BODY
// prints: p50_us <p50> p99_us <p99>
import { readFileSync } from 'node:fs';

const [source, requestsArg, body] = process.argv.slice(2);
const requests = Number(requestsArg);
let listener = null;
globalThis.addEventListener = (type, fn) => {
  if (type === 'fetch') listener = fn;
};
// The guest is a script for a service-worker-like global, not a module: evaluate it as one.
new Function(readFileSync(source, 'utf8'))();
if (!listener) {
  throw new Error(`${source} registered no fetch listener`);
}

async function once() {
  let answer = null;
  const request = new Request('http://bench.guest/', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/protobuf' },
    duplex: 'half',
  });
  listener({ request, respondWith: (p) => (answer = p) });
  const response = await answer;
  const text = await response.text();
  if (response.status !== 200 || text !== body) {
    throw new Error(`answered ${response.status} with an unexpected body`);
  }
}

for (let i = 0; i < Math.max(1000, requests / 2); i++) await once(); // warm-up
const samples = [];
for (let i = 0; i < requests; i++) {
  const start = process.hrtime.bigint();
  await once();
  samples.push(Number(process.hrtime.bigint() - start) / 1e3);
}
samples.sort((a, b) => a - b);
const at = (p) => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))];
console.log(`p50_us ${at(0.5).toFixed(1)} p99_us ${at(0.99).toFixed(1)}`);
