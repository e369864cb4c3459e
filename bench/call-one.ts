// The cost of `Gateway.callOne` below the MCP front: one in-process gateway in front of one demo provider,
// `--calls` pass-through `echo` calls with `--concurrency` in flight, after a warm-up. Prints calls per
// second and the CPU time per call of this process (the gateway; no MCP client or front in it) and of
// the provider process (from /proc). `--rounds` repeats the measurement; the medians are printed.
// `--provider legacy` calls a 2025-era server instead (tests/fixtures/probe-server.ts on the v1 SDK, `echo`).
//
//   bun run bench/call-one.ts [--calls 20000] [--concurrency 64] [--rounds 3] [--provider demo|legacy] [--json]
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Gateway } from "../src/gateway/index.ts";
import { benchConfig, benchProvider, cpuMs, hangarArgv, ROOT } from "./stats.ts";

// The demo providers answer through the MCP SDK on every side (HANGAR_DEMO_FRONT, README): a direct
// 2025 client always meets the SDK, and hangar's 2026-07-28 calls must meet the same provider code.
process.env.HANGAR_DEMO_FRONT ??= "off";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "64" },
    rounds: { type: "string", default: "3" },
    provider: { type: "string", default: "demo" },
    json: { type: "boolean", default: false },
  },
});
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const hangar = hangarArgv();
const LEGACY = values.provider === "legacy";
if (!["demo", "legacy"].includes(values.provider)) throw new Error(`--provider must be demo or legacy`);
/** The provider's argv: a demo provider (2026-07-28) or the 2025 probe fixture. */
const argv = LEGACY
  ? [process.execPath, join(ROOT, "tests/fixtures/probe-server.ts")]
  : [...hangar, "demo-provider", "--name", "p0"];

// The probe fixture is a Bun script: it needs PATH; the demo provider is hangar itself.
const config = benchConfig([benchProvider("p0", argv, {}, LEGACY ? { PATH: process.env.PATH ?? "" } : {})]);

await using gateway = new Gateway(config);
const call = { provider: "p0", tool: "echo", arguments: LEGACY ? { text: "x" } : { message: "x" } };
const run = async (count: number) => {
  let next = 0;
  const worker = async () => {
    while (next++ < count) {
      const result = await gateway.callOne(call);
      if (!result.ok) throw new Error(`call failed: ${JSON.stringify(result.error)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
};
await run(5000);
const pid = gateway.handles.get("p0")!.pid!;
const rounds: { rate: number; gateway_us: number; provider_us: number }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  Bun.gc(true);
  const cpu = process.cpuUsage();
  const providerBefore = cpuMs(pid);
  const start = performance.now();
  await run(CALLS);
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  rounds.push({
    rate: Math.round(CALLS / (elapsed / 1000)),
    gateway_us: Math.round((used.user + used.system) / CALLS),
    provider_us: Math.round(((cpuMs(pid) - providerBefore) * 1000) / CALLS),
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const result = {
  rounds,
  median: {
    rate: median(rounds.map((r) => r.rate)),
    gateway_us: median(rounds.map((r) => r.gateway_us)),
    provider_us: median(rounds.map((r) => r.provider_us)),
  },
  least_gateway_us: Math.min(...rounds.map((r) => r.gateway_us)),
};
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(
    `Gateway.callOne, ${CALLS} echo calls to a ${LEGACY ? "2025" : "demo (2026-07-28)"} provider, ${CONCURRENCY} in flight, ${ROUNDS} rounds — bun ${Bun.version}`,
  );
  for (const r of rounds)
    console.log(`  ${r.rate} calls/s   gateway ${r.gateway_us} µs/call   provider ${r.provider_us} µs/call`);
  console.log(
    `  median: ${result.median.rate} calls/s, gateway ${result.median.gateway_us} µs/call, provider ${result.median.provider_us} µs/call; least gateway ${result.least_gateway_us} µs/call`,
  );
}
