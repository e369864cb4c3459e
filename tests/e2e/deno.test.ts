// Hangar from source under Deno (the `deno` devDependency, from the npm registry): `deno task call` of
// the README's demo batch, whose demo providers hangar starts again through selfCommand(), so under Deno
// too. It keeps the code off Bun-only APIs outside src/runtime/. Offline: the project's node_modules only.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { findDeno } from "../helpers/deno.ts";
import { sandbox } from "../helpers/e2e.ts";
import { ROOT } from "../helpers/paths.ts";
import { outputOf } from "../helpers/processes.ts";

const deno = findDeno();
const TIMEOUT_MS = 15_000;

if ("reason" in deno) {
  console.warn(`Skipping the Deno smoke test: the deno binary cannot run: ${deno.reason}`);
  test.skip(`hangar call runs under Deno (skipped: the deno binary cannot run: ${deno.reason})`, () => {});
} else {
  test(
    "deno task call runs the demo batch from source, its demo providers started under Deno too",
    async () => {
      using box = sandbox();
      const proc = Bun.spawn(
        [deno.path, "task", "--config", join(ROOT, "deno.json"), "call", "--json", "examples/batch.json"],
        {
          cwd: box.cwd,
          // A registry that cannot answer: Deno must use node_modules and fetch nothing.
          env: { ...box.env, NPM_CONFIG_REGISTRY: "http://127.0.0.1:9/", DENO_NO_UPDATE_CHECK: "1" },
          stdin: "ignore",
          stdout: "pipe",
          stderr: "pipe",
        },
      );
      const { stdout, stderr, code } = await outputOf(proc);
      expect({ code, stderr }).toMatchObject({ code: 0 });
      expect(stderr).toContain('using the built-in demo providers "demo" and "demo2"');
      const batch = JSON.parse(stdout);
      expect(batch).toMatchObject({ ok: true, total: 5, succeeded: 5, failed: 0 });
      const texts = batch.results.map((r: { result: { content: { text: string }[] } }) => r.result.content[0]?.text);
      expect(texts).toEqual(["slept 200 ms", "slept 200 ms", "slept 200 ms", "hello from demo2", "42"]);
    },
    TIMEOUT_MS,
  );

  test(
    "every helper of src/runtime/ works under Deno (Deno.serve, node:crypto, the node:fs which, stdin)",
    async () => {
      using box = sandbox();
      const proc = Bun.spawn(
        [deno.path, "run", "-A", "--config", join(ROOT, "deno.json"), join(ROOT, "tests/fixtures/runtime-check.ts")],
        {
          cwd: box.cwd,
          env: { ...box.env, NPM_CONFIG_REGISTRY: "http://127.0.0.1:9/", DENO_NO_UPDATE_CHECK: "1" },
          stdin: new Blob(["from stdin"]),
          stdout: "pipe",
          stderr: "pipe",
        },
      );
      const { stdout, stderr, code } = await outputOf(proc);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(JSON.parse(stdout)).toEqual({
        runtime: "deno",
        served: "/served",
        sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        sh: Bun.which("sh"),
        finished: { code: 3, stdout: "out\n", stderr: "err\n" },
        sync: "sync\n",
        stdin: "from stdin",
      });
    },
    TIMEOUT_MS,
  );
}
