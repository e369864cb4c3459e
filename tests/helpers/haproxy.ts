// A real HAProxy (Debian's `haproxy`, installed by .ci/run) in front of Hangar replicas: round-robin,
// no stickiness, health checks on /readyz. Used by tests/e2e/replicas.test.ts and bench/replicas.ts.
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { waitFor } from "./processes.ts";

/** Where Debian installs HAProxy (not on a non-root PATH). */
export const HAPROXY = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"].find((path) => existsSync(path));

/** A running HAProxy: its base URL and a way to stop it. */
export interface Haproxy extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  /** What HAProxy wrote to stderr so far (warnings, alerts). */
  stderr(): string;
  /** Each replica's state as HAProxy's health checks see it (`r0` → "UP", "DOWN", ...), from its stats socket. */
  states(): Promise<Record<string, string>>;
}

/** A free TCP port on 127.0.0.1 (bound, then released: HAProxy cannot bind port 0 and say which). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * HAProxy's config for `backends` (ports of Hangar replicas on 127.0.0.1): each request balanced
 * round-robin on its own (no stickiness), a replica out after one failed /readyz check (every 100 ms,
 * 2 s to answer) and back after one good one, a request whose connection to a replica fails retried on another. Host
 * is set to `localhost`, which a loopback-bound Hangar accepts (a replica bound to 0.0.0.0 with a token,
 * as in Kubernetes, accepts any Host).
 */
export function haproxyConfig(port: number, backends: readonly number[], socket: string): string {
  return `global
  maxconn 4096
  stats socket ${socket} mode 600 level admin

defaults
  mode http
  timeout connect 1s
  timeout client 120s
  timeout server 120s
  timeout http-keep-alive 10s
  timeout check 2s
  retries 3
  option redispatch 1

frontend mcp
  bind 127.0.0.1:${port}
  http-request set-header Host localhost
  default_backend replicas

backend replicas
  balance roundrobin
  option httpchk
  http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host localhost
  http-check expect status 200
  default-server check inter 100ms fall 1 rise 1
${backends.map((backend, i) => `  server r${i} 127.0.0.1:${backend}`).join("\n")}
`;
}

/** Starts HAProxy in the foreground with a config in `dir`, and waits until it answers on its port. */
export async function startHaproxy(dir: string, backends: readonly number[]): Promise<Haproxy> {
  if (HAPROXY === undefined) throw new Error("HAProxy is not installed: apt-get install -y haproxy (.ci/run does)");
  const port = await freePort();
  const config = join(dir, "haproxy.cfg");
  const socket = join(dir, "haproxy.sock");
  writeFileSync(config, haproxyConfig(port, backends, socket));
  const proc = spawn(HAPROXY, ["-db", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`haproxy exited with ${proc.exitCode}: ${stderr}`);
      const response = await fetch(`${base}/healthz`).catch(() => undefined);
      await response?.arrayBuffer();
      return response?.status === 200;
    },
    10_000,
    `haproxy to answer on ${base}`,
  );
  return {
    base,
    stderr: () => stderr,
    states: () => statesOf(socket),
    async [Symbol.asyncDispose]() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      await exited;
    },
  };
}

/** `show stat` on HAProxy's stats socket: each server of the `replicas` backend and its status. */
async function statesOf(socket: string): Promise<Record<string, string>> {
  const csv = await new Promise<string>((resolve, reject) => {
    let text = "";
    const client = connect(socket, () => client.end("show stat\n"));
    client.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
    });
    client.once("error", reject);
    client.once("close", () => resolve(text));
  });
  const [header = "", ...rows] = csv.split("\n").filter((line) => line !== "");
  const columns = header.replace(/^# /, "").split(",");
  const [proxy, server, status] = ["pxname", "svname", "status"].map((name) => columns.indexOf(name));
  const states: Record<string, string> = {};
  for (const row of rows) {
    const cells = row.split(",");
    const name = cells[server as number] ?? "";
    if (cells[proxy as number] === "replicas" && /^r\d+$/.test(name)) states[name] = cells[status as number] ?? "";
  }
  return states;
}
