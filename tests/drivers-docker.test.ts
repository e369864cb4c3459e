import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ResolvedProvider } from "../src/config/types.ts";
import { Gateway, type GatewayDeps } from "../src/gateway/index.ts";
import { ownerToken } from "../src/providers/run-registry.ts";
import { BUN, ROOT } from "./helpers/paths.ts";
import { countingSpawner, isAlive, waitFor } from "./helpers/processes.ts";
import { configOf, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});
function gateway(providers: ResolvedProvider[], deps: GatewayDeps): Gateway {
  const g = new Gateway(configOf(providers), deps);
  open.push(g);
  return g;
}
const text = (result: unknown) => (result as { content: { type: string; text: string }[] }).content[0]!.text;

/** tests/fixtures/bin/docker: records its argv, then runs the demo provider in place of a container. */
const FAKE_DOCKER_DIR = join(ROOT, "tests/fixtures/bin");

function dockerProvider(id: string): ResolvedProvider {
  const transport = {
    kind: "docker" as const,
    image: "example/mcp:1",
    network: "none",
    env: { API_TOKEN: "s3cret" },
    volumes: ["/tmp:/data:ro"],
    args: ["--flag"],
  };
  return stdioProvider(id, ["unused"], { transport });
}

/** An environment whose `docker` is the stand-in, logging to a fresh file; returns both. */
function fakeDockerEnv(): { env: Record<string, string | undefined>; log: string } {
  const log = join(mkdtempSync(join(tmpdir(), "hangar-docker-")), "argv.log");
  writeFileSync(log, "");
  const env = {
    ...process.env,
    PATH: `${FAKE_DOCKER_DIR}:${dirname(BUN)}:${process.env.PATH ?? ""}`,
    DOCKER_ARGS_LOG: log,
    HANGAR_TEST_BUN: BUN,
  };
  return { env, log };
}

/** The records the stand-in wrote: whether API_TOKEN reached it, and its argv. */
function records(log: string): { token: string; argv: string[] }[] {
  return readFileSync(log, "utf8")
    .split("----\n")
    .filter((record) => record.trim() !== "")
    .map((record) => {
      const [env, ...argv] = record.replace(/\n$/, "").split("\n");
      return { token: env!, argv };
    });
}

/** This process as the owner of the containers it starts: `dev.hangar.owner=<pid>-<start time>`. */
const OWNER_LABEL = `dev.hangar.owner=${ownerToken()}`;
/** A container name of this process: `hangar-<provider>-<owner>-<n>`. */
const CONTAINER_NAME = (provider: string) => new RegExp(`^hangar-${provider}-${ownerToken()}-\\d+$`);

describe("docker driver", () => {
  test("A docker provider runs `docker run -i --rm` with names of env vars, never their values", async () => {
    const { env, log } = fakeDockerEnv();
    const g = gateway([dockerProvider("boxed")], { baseEnv: env });
    const batch = await g.run({
      calls: [
        { provider: "boxed", tool: "echo", arguments: { message: "from the container" } },
        { provider: "boxed", tool: "add", arguments: { a: 2, b: 3 } },
      ],
    });
    expect(batch).toMatchObject({ ok: true, succeeded: 2 });
    expect(text(batch.results[0]!.result)).toBe("from the container");
    expect(batch.results[1]!.result).toMatchObject({ structuredContent: { sum: 5 } });

    const [record, ...more] = records(log);
    expect(more).toEqual([]);
    expect(record!.argv).toEqual([
      "run",
      "-i",
      "--rm",
      "--init",
      "--name",
      expect.stringMatching(CONTAINER_NAME("boxed")),
      "--label",
      "dev.hangar.provider=boxed",
      "--label",
      OWNER_LABEL,
      "--network",
      "none",
      "-e",
      "API_TOKEN",
      "-v",
      "/tmp:/data:ro",
      "example/mcp:1",
      "--flag",
    ]);
    expect(record!.argv.join(" ")).not.toContain("s3cret");
    expect(record!.token).toBe("env API_TOKEN=set");
    expect(readFileSync(log, "utf8")).not.toContain("s3cret");
  });

  test("A docker provider without network, env or volumes passes none of those flags", async () => {
    const { env, log } = fakeDockerEnv();
    const base = dockerProvider("plain");
    const plain = {
      ...base,
      transport: {
        kind: "docker" as const,
        image: "example/plain",
        network: undefined,
        env: {},
        volumes: [],
        args: [],
      },
    };
    const g = gateway([plain], { baseEnv: { ...env, API_TOKEN: undefined } });
    const batch = await g.run({ calls: [{ provider: "plain", tool: "echo", arguments: { message: "ok" } }] });
    expect(batch.results[0]).toMatchObject({ ok: true });
    expect(records(log)).toEqual([
      {
        token: "env API_TOKEN=",
        argv: [
          "run",
          "-i",
          "--rm",
          "--init",
          "--name",
          expect.stringMatching(CONTAINER_NAME("plain")),
          "--label",
          "dev.hangar.provider=plain",
          "--label",
          OWNER_LABEL,
          "example/plain",
        ],
      },
    ]);
  });

  test("Closing the gateway stops the docker client process", async () => {
    const { env } = fakeDockerEnv();
    const spawner = countingSpawner();
    const g = gateway([dockerProvider("boxed")], { baseEnv: env, spawner });
    const batch = await g.run({ calls: [{ provider: "boxed", tool: "info", arguments: {} }] });
    expect(batch.results[0]).toMatchObject({ ok: true, result: { structuredContent: { name: "docker" } } });
    const pid = spawner.pids[0]!;
    expect(isAlive(pid)).toBe(true);
    await g.close();
    await waitFor(() => !isAlive(pid), 10_000, "the docker client to exit");
  });

  test("A missing docker binary fails the call with provider_unavailable naming docker", async () => {
    const g = gateway([dockerProvider("boxed")], {
      baseEnv: { ...process.env, PATH: mkdtempSync(join(tmpdir(), "hangar-empty-path-")) },
    });
    const batch = await g.run({ calls: [{ provider: "boxed", tool: "echo", arguments: { message: "x" } }] });
    expect(batch.results[0]).toMatchObject({ ok: false, error: { type: "provider_unavailable" } });
    expect(batch.results[0]!.error!.message).toBe('Cannot start provider "boxed": command "docker" not found on PATH');
  });
});
