// Issue 13, the OCI image, against a real Docker daemon: `scripts/image.sh` builds it from local files
// only; one container of it, run as Kubernetes would (read-only root filesystem, every capability
// dropped, the config and token file mounted, HANGAR_HOME on a volume), serves /mcp and /v1/call on its
// published port as the non-root user, writes only below HANGAR_HOME, and drains on `docker stop`.
// Skipped, saying why, only where no runtime can be started; with CI=true that fails.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ENV } from "../../src/knobs.ts";
import { type ContainerRuntime, containerRuntime } from "../helpers/docker.ts";
import { lines, sandbox } from "../helpers/e2e.ts";
import { DIST_HANGAR, ROOT } from "../helpers/paths.ts";
import { outputOf, waitFor } from "../helpers/processes.ts";

const TIMEOUT_MS = 120_000;
const REPOSITORY = "hangar-image-e2e";
const TOKEN = "image-test-token";
const runtime = await containerRuntime();
const box = sandbox();
const container = `hangar-image-e2e-${process.pid}`;
afterAll(async () => {
  if (runtime.available) {
    await runtime.docker(["rm", "-f", container]);
    await runtime.stop();
  }
  try {
    box[Symbol.dispose]();
  } catch {
    // Files the container's user wrote may not be removable by a non-root user; they are in a temp folder.
  }
});

/** Builds the image with scripts/image.sh, tagged by a hash of the binary and the script (built once). */
async function buildImage(real: ContainerRuntime): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(readFileSync(DIST_HANGAR));
  hasher.update(readFileSync(join(ROOT, "scripts/image.sh")));
  const tag = `${REPOSITORY}:${hasher.digest("hex").slice(0, 16)}`;
  if ((await real.docker(["image", "inspect", tag])).code !== 0) {
    const proc = Bun.spawn(["bash", join(ROOT, "scripts/image.sh"), "--tag", tag], {
      env: { ...process.env, PATH: `${process.env.PATH}:/usr/local/sbin:/usr/sbin:/sbin` },
      stdout: "pipe",
      stderr: "pipe",
    });
    const built = await outputOf(proc);
    if (built.code !== 0) throw new Error(`scripts/image.sh failed: ${built.stderr}`);
    expect(built.stdout.trim()).toBe(tag);
  }
  const { stdout } = await real.docker(["images", REPOSITORY, "--format", "{{.Repository}}:{{.Tag}}"]);
  const stale = stdout.split("\n").filter((name) => name !== "" && name !== tag);
  if (stale.length > 0) await real.docker(["rmi", ...stale]);
  return tag;
}

if (!runtime.available) {
  if (process.env.CI === "true") {
    test("a container runtime can be started (CI=true requires one)", () => {
      throw new Error(`No container runtime: ${runtime.reason}`);
    });
  } else {
    console.warn(`Skipping the image tests: ${runtime.reason}`);
    test.skip(`hangar's image on a real runtime (skipped: ${runtime.reason})`, () => {});
  }
} else {
  const real: ContainerRuntime = runtime;
  const state = join(box.root, "state");
  let base = "";
  const auth = { authorization: `Bearer ${TOKEN}` };

  /** POSTs calls to the container's /v1/call. */
  const post = (calls: unknown[], headers: Record<string, string> = auth, accept = "application/json") =>
    fetch(`${base}/v1/call`, {
      method: "POST",
      headers: { "content-type": "application/json", accept, ...headers },
      body: JSON.stringify(calls),
    });

  describe("Issue 13: hangar's image on a real container runtime", () => {
    test(
      "scripts/image.sh builds a non-root image whose default command serves HTTP on 0.0.0.0:8000",
      async () => {
        const image = await buildImage(real);
        const config = JSON.parse(
          (await real.docker(["image", "inspect", image, "--format", "{{json .Config}}"])).stdout,
        );
        expect(config.User).toMatch(/^[1-9]\d*:[1-9]\d*$/);
        expect([...config.Entrypoint, ...config.Cmd]).toEqual(["hangar", "serve", "--http", "--host", "0.0.0.0"]);
        expect(Object.keys(config.ExposedPorts)).toEqual(["8000/tcp"]);
        expect(config.Env).toContain(`${ENV.home}=/var/lib/hangar`);

        mkdirSync(state);
        chmodSync(state, 0o777);
        const hangarYaml = box.write(
          "hangar.yaml",
          `providers:\n  - { id: demo, command: [hangar, demo-provider, --name, demo] }\n`,
        );
        const token = box.write("token", `${TOKEN}\n`);
        const started = await real.docker([
          ...["run", "-d", "--name", container, "--read-only", "--cap-drop", "ALL"],
          ...["--security-opt", "no-new-privileges", "-p", "127.0.0.1::8000"],
          ...["-v", `${hangarYaml}:/etc/hangar/hangar.yaml:ro`, "-v", `${token}:/run/secrets/hangar/token:ro`],
          ...["-v", `${state}:/var/lib/hangar`, "-e", `${ENV.tokenFile}=/run/secrets/hangar/token`],
          ...["-e", `${ENV.logLevel}=info`, "-e", `${ENV.drainS}=30`, image],
        ]);
        expect(started.stderr).toBe("");
        const port = (await real.docker(["port", container, "8000/tcp"])).stdout.split("\n")[0]!.trim();
        base = `http://${port}`;
        await waitFor(
          async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200,
          20_000,
          "the container to be ready",
        );
      },
      TIMEOUT_MS,
    );

    test(
      "The container serves /v1/call and /mcp with the mounted token and config, as uid 65532 on a read-only root",
      async () => {
        expect(base).not.toBe("");
        const denied = await post([{ provider: "demo", tool: "echo", arguments: { message: "x" } }], {});
        expect(denied.status).toBe(401);
        const answered = await post([{ provider: "demo", tool: "echo", arguments: { message: "from the image" } }]);
        expect(answered.status).toBe(200);
        expect((await answered.json()).results[0]).toMatchObject({ ok: true });

        const client = new Client({ name: "hangar-image-tests", version: "1.0.0" });
        await client.connect(
          new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: auth } }),
        );
        try {
          expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("demo__echo");
          const result = await client.callTool({ name: "demo__echo", arguments: { message: "over mcp" } });
          expect(result.content).toEqual([{ type: "text", text: "over mcp" }]);
        } finally {
          await client.close();
        }

        const inspect = async (format: string) =>
          (await real.docker(["inspect", container, "--format", format])).stdout.trim();
        expect(await inspect("{{.HostConfig.ReadonlyRootfs}}")).toBe("true");
        const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${await inspect("{{.State.Pid}}")}/status`, "utf8"))?.[1];
        expect(uid).toBe("65532");
        // Everything it wrote is on the HANGAR_HOME volume: the catalog cache and the run registry.
        await waitFor(() => existsSync(join(state, "cache")) && readdirSync(join(state, "cache")).length > 0);
        expect(existsSync(join(state, "run"))).toBe(true);
      },
      TIMEOUT_MS,
    );

    test(
      "docker stop drains: /readyz turns 503 and the running call finishes before the container exits 0",
      async () => {
        expect(base).not.toBe("");
        const calls = [
          { provider: "demo", tool: "echo", arguments: { message: "up" } },
          { provider: "demo", tool: "sleep", arguments: { ms: 4_000 } },
        ];
        const response = await post(calls, auth, "application/x-ndjson");
        const reader = response.body!.getReader();
        let text = "";
        const decoder = new TextDecoder();
        const readLine = async () => {
          while (!text.includes("\n")) {
            const next = await reader.read();
            if (next.done) break;
            text += decoder.decode(next.value, { stream: true });
          }
        };
        await readLine(); // the echo is back, so the sleep runs now
        const stopping = real.docker(["stop", "--time", "60", container]);
        await waitFor(
          async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 503,
          3_000,
          "/readyz to turn 503",
        );
        for (let next = await reader.read(); !next.done; next = await reader.read()) text += decoder.decode(next.value);
        const [, sleep, summary] = lines(text).map((line) => JSON.parse(line));
        expect(sleep).toMatchObject({ tool: "sleep", ok: true });
        expect(summary).toMatchObject({ ok: true, succeeded: 2 });
        expect((await stopping).code).toBe(0);
        const exit = (await real.docker(["inspect", container, "--format", "{{.State.ExitCode}}"])).stdout.trim();
        expect(exit).toBe("0");
        const logs = (await real.docker(["logs", container])).stderr;
        expect(logs).toContain("draining the HTTP front");
        expect(logs).not.toContain("cancelling the requests still running");
      },
      TIMEOUT_MS,
    );
  });
}
