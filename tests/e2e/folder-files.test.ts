// A compiled Bun program reads the `.env` and `bunfig.toml` of the folder it runs in unless it is built
// not to (scripts/build.sh): a `.env` there reached hangar's environment, and so every provider's, and a
// bunfig `preload` ran its code inside hangar. Hangar reads only its own config.
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runHangar, sandbox } from "../helpers/e2e.ts";

describe("The folder hangar runs in", () => {
  test("its .env and bunfig.toml are not read: no variable set, no preload run", async () => {
    using box = sandbox();
    const marker = join(box.root, "preload-ran");
    box.write("preload.ts", `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "yes");\n`);
    box.write("bunfig.toml", 'preload = ["./preload.ts"]\n');
    // Read, this would point hangar at a config that does not exist, and the call would fail.
    box.write(".env", "HANGAR_CONFIG=./no-such-config.yaml\n");
    const batch = JSON.stringify([{ provider: "demo", tool: "echo", arguments: { message: "plain" } }]);
    const run = await runHangar(["call", "--json", "-"], box.options({}, batch));
    expect(run.stderr).not.toContain("no-such-config");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("plain");
    expect(existsSync(marker)).toBe(false);
  }, 30_000);
});
