// Providers and config files that attack hangar on purpose (issue 9, "Hardening"): the compiled binary
// must stay responsive and bounded, and say clearly which provider or which line is at fault.
import { describe, expect, test } from "bun:test";
import { runHangar, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { fixture } from "../helpers/paths.ts";
import { waitFor } from "../helpers/processes.ts";
import { serve } from "../helpers/serve.ts";

const TIMEOUT_MS = 30_000;

/** A YAML provider entry running the hostile fixture in `mode` (JSON is YAML). */
function hostile(id: string, mode: string, extra: Record<string, unknown> = {}): string {
  const { env, ...rest } = extra as { env?: Record<string, string> };
  return `  - ${JSON.stringify({ id, command: fixture("hostile-server.ts"), env: { HOSTILE_MODE: mode, ...env }, ...rest })}\n`;
}

function config(box: Sandbox, providers: string[]): void {
  box.write("hangar.yaml", `providers:\n${providers.join("")}`);
}

describe("issue 9: hostile providers", () => {
  test(
    "issue 9.9: a 64 KiB resources/read URI against a backtracking-prone template is answered in < 50 ms",
    async () => {
      using box = sandbox();
      config(box, [hostile("evil", "template", { prefix: false })]);
      await using session = await serve(box);
      await waitFor(
        async () => (await session.client.listResourceTemplates()).resourceTemplates.length > 0,
        10_000,
        "the template to be listed",
      );
      const matching = await session.client.readResource({ uri: "t1-2-3-4-5-6-7-8-9-10-11-12!" });
      expect(matching.contents[0]).toMatchObject({ text: "read" });
      const pathological = `t${"-".repeat(64 * 1024)}`;
      let fastest = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = performance.now();
        await expect(session.client.readResource({ uri: pathological })).rejects.toThrow();
        fastest = Math.min(fastest, performance.now() - started);
      }
      expect(fastest).toBeLessThan(50);
    },
    TIMEOUT_MS,
  );
});

describe("issue 9: hostile config files", () => {
  const levels = ["a", "b", "c", "d", "e", "f"];
  const bomb = [
    'a: &a ["x","x","x","x","x","x","x","x","x"]',
    ...levels.slice(1).map((name, i) => `${name}: &${name} [${Array(9).fill(`*${levels[i]}`).join(",")}]`),
    "providers: [*f]",
  ].join("\n");
  const batch = JSON.stringify({ calls: [{ provider: "a", tool: "ok" }] });

  test(
    "issue 9.13: a 7-line YAML alias bomb fails doctor and call at once with a located config error",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", bomb);
      box.write("batch.json", batch);
      for (const args of [["doctor"], ["call", "batch.json"]]) {
        const started = performance.now();
        const run = await runHangar(args, box.options());
        expect(performance.now() - started).toBeLessThan(5000);
        expect(run.code).toBe(args[0] === "doctor" ? 1 : 2);
        expect(run.stdout + run.stderr).toContain(
          "hangar.yaml:2:8: uses YAML aliases (`*name`) that expand to too many values",
        );
      }
    },
    TIMEOUT_MS,
  );

  test(
    "issue 9.14: call_timeout_s: 3000000 is refused at load by call and doctor, naming the maximum",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", `providers:\n${hostile("a", "")}defaults:\n  call_timeout_s: 3000000\n`);
      box.write("batch.json", batch);
      for (const args of [["doctor"], ["call", "batch.json"]]) {
        const run = await runHangar(args, box.options());
        expect(run.code).toBe(args[0] === "doctor" ? 1 : 2);
        expect(run.stdout + run.stderr).toContain(
          "hangar.yaml:4:19: defaults.call_timeout_s expected at most 2147483 seconds",
        );
      }
    },
    TIMEOUT_MS,
  );
});
