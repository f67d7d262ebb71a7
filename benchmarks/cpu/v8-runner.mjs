// The V8 side of bin/wr-benchmark cpu: instantiates one kernel (it imports nothing), calls
// run(n) until the warm-up time has passed, then times `samples` calls, and prints one JSON line:
// {"checksum": <run's result, unsigned>, "nanos": [<time of each timed call>]}.
//
//   node v8-runner.mjs KERNEL.wasm N WARMUP_MILLIS SAMPLES
import { readFileSync } from "node:fs";

const [path, nArg, warmupArg, samplesArg] = process.argv.slice(2);
if (!path || !nArg || !warmupArg || !samplesArg) {
  process.stderr.write("usage: node v8-runner.mjs KERNEL.wasm N WARMUP_MILLIS SAMPLES\n");
  process.exit(2);
}
const n = Number(nArg);
const warmupNanos = BigInt(warmupArg) * 1_000_000n;
const samples = Number(samplesArg);

const { instance } = await WebAssembly.instantiate(readFileSync(path), {});
if (instance.exports._initialize) {
  instance.exports._initialize();
}
const run = instance.exports.run;

const checksum = run(n) >>> 0;
const check = (value) => {
  if (value >>> 0 !== checksum) {
    throw new Error(`run(${n}) answered ${value >>> 0}, earlier ${checksum} (expected: the same)`);
  }
};
const warmupEnd = process.hrtime.bigint() + warmupNanos;
for (let calls = 1; calls < 3 || process.hrtime.bigint() < warmupEnd; calls++) {
  check(run(n));
}
const nanos = [];
for (let i = 0; i < samples; i++) {
  const start = process.hrtime.bigint();
  const value = run(n);
  nanos.push(Number(process.hrtime.bigint() - start));
  check(value);
}
process.stdout.write(JSON.stringify({ checksum, nanos }) + "\n");
