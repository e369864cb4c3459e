import type { ResolvedProvider } from "../../src/config/types.ts";
import { fixture, npmServer } from "./paths.ts";
import { stdioProvider } from "./providers.ts";

/** A loopback port with nothing listening on it right now (bound on 0, then released). */
export function freePort(): number {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

/** A remote provider reached over HTTP, with the documented defaults. */
export function httpProvider(
  id: string,
  url: string,
  options: { headers?: Record<string, string>; protocol?: "auto" | "streamable-http" | "sse" } = {},
  overrides: Partial<ResolvedProvider> = {},
): ResolvedProvider {
  const transport = {
    kind: "http" as const,
    url,
    headers: options.headers ?? {},
    protocol: options.protocol ?? "auto",
  };
  return stdioProvider(id, ["unused"], { ...overrides, transport });
}

/** A server process on a loopback port; `await using` stops it. */
export interface RunningServer extends AsyncDisposable {
  readonly port: number;
  readonly process: Bun.Subprocess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
}

/** Reads a process's output stream to its end, handing each decoded chunk to `onText`. */
function drain(stream: ReadableStream<Uint8Array>, onText: (text: string) => void): void {
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  })().catch(() => {});
}

/** Kills `proc` and waits for it to exit. */
async function stop(proc: Bun.Subprocess): Promise<void> {
  proc.kill("SIGKILL");
  await proc.exited;
}

/** Waits for `ready`, failing with the server's stderr if it exits or takes longer than `timeoutMs`. */
async function startedOrThrow(
  proc: Bun.Subprocess,
  ready: Promise<void>,
  stderr: () => string,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  let timer: Timer | undefined;
  const failure = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not start within ${timeoutMs} ms; stderr: ${stderr()}`)),
      timeoutMs,
    );
    void proc.exited.then((code) =>
      reject(new Error(`${what} exited with code ${code} before listening; stderr: ${stderr()}`)),
    );
  });
  try {
    await Promise.race([ready, failure]);
  } catch (error) {
    await stop(proc);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs @modelcontextprotocol/server-everything in `sse` or `streamableHttp` mode on a free loopback port. */
export async function startEverything(mode: "sse" | "streamableHttp"): Promise<RunningServer> {
  const port = freePort();
  const proc = Bun.spawn([...npmServer("@modelcontextprotocol/server-everything"), mode], {
    env: { ...process.env, PORT: String(port) },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  let log = "";
  const { promise: ready, resolve } = Promise.withResolvers<void>();
  drain(proc.stderr, (text) => {
    log = (log + text).slice(-8192);
    if (/(listening|running) on port \d+/i.test(log)) resolve();
  });
  await startedOrThrow(proc, ready, () => log, `server-everything (${mode})`);
  return { port, process: proc, stderr: () => log, [Symbol.asyncDispose]: () => stop(proc) };
}

/** Runs tests/fixtures/http-server.ts, which prints `{"port": N}` first on stdout. */
export async function startFixtureServer(): Promise<RunningServer & { url(path: string): string }> {
  const proc = Bun.spawn(fixture("http-server.ts"), { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let log = "";
  drain(proc.stderr, (text) => {
    log = (log + text).slice(-8192);
  });
  let port = 0;
  let stdout = "";
  const { promise: ready, resolve } = Promise.withResolvers<void>();
  drain(proc.stdout, (text) => {
    if (port !== 0) return;
    stdout += text;
    const newline = stdout.indexOf("\n");
    if (newline === -1) return;
    port = (JSON.parse(stdout.slice(0, newline)) as { port: number }).port;
    resolve();
  });
  await startedOrThrow(proc, ready, () => log, "tests/fixtures/http-server.ts");
  return {
    port,
    process: proc,
    stderr: () => log,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    [Symbol.asyncDispose]: () => stop(proc),
  };
}
