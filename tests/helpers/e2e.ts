// Shared by the end-to-end tests: run the compiled dist/hangar as a user would, each test in its own
// sandbox (a temp HOME and working directory, no $HANGAR_* from the outside), and watch its processes.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DIST_HANGAR } from "./paths.ts";
import { descendants, isAlive, waitFor } from "./processes.ts";

/** The compiled binary under test; fails clearly when it has not been built. */
export function hangarBinary(): string {
  if (!existsSync(DIST_HANGAR)) throw new Error(`${DIST_HANGAR} is missing; run \`bash scripts/build.sh\` first`);
  return DIST_HANGAR;
}

/** What a finished hangar run printed and how it exited. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where and how to run hangar; every field says its default. */
export interface RunOptions {
  /** The whole environment of the process (default: a fresh sandbox's). */
  readonly env?: Record<string, string>;
  /** Working directory (default: a fresh sandbox's). */
  readonly cwd?: string;
  /** Text fed to stdin (default: no stdin). */
  readonly stdin?: string;
}

/** A temp HOME and working directory, removed on dispose; `env` is process.env without $HANGAR_*. */
export interface Sandbox extends Disposable {
  readonly root: string;
  readonly home: string;
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** Writes `text` to `name` inside the working directory and returns its absolute path. */
  write(name: string, text: string): string;
  /** The sandbox's run options, with `extra` variables added to its environment. */
  options(extra?: Record<string, string>, stdin?: string): RunOptions;
}

/** A fresh sandbox for one test; use it with `using`. */
export function sandbox(): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "hangar-e2e-")));
  const home = join(root, "home");
  const cwd = join(root, "cwd");
  mkdirSync(home);
  mkdirSync(cwd);
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] => !entry[0].startsWith("HANGAR_") && entry[1] !== undefined,
  );
  const env = { ...Object.fromEntries(inherited), HOME: home, NO_COLOR: "1" };
  return {
    root,
    home,
    cwd,
    env,
    write(name, text) {
      const path = join(cwd, name);
      writeFileSync(path, text);
      return path;
    },
    options(extra = {}, stdin) {
      return { env: { ...env, ...extra }, cwd, ...(stdin === undefined ? {} : { stdin }) };
    },
    [Symbol.dispose]() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A running hangar: its output so far, its exit, and every descendant pid seen while it ran. */
export interface Running extends AsyncDisposable {
  readonly pid: number;
  readonly proc: Bun.Subprocess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited and its output is read to the end. */
  readonly done: Promise<Run>;
  /** Pids of processes below hangar, as of the last `children()` call. */
  readonly seen: ReadonlySet<number>;
  /** Descendant pids now (and remembered in `seen`). */
  children(): number[];
}

/** Starts `hangar ...args`; on dispose, anything it left running is killed. */
export function startHangar(args: readonly string[], options: RunOptions = {}): Running {
  const owned = options.env === undefined || options.cwd === undefined ? sandbox() : undefined;
  const proc = Bun.spawn([hangarBinary(), ...args], {
    cwd: options.cwd ?? owned!.cwd,
    env: options.env ?? owned!.env,
    stdin: options.stdin === undefined ? "ignore" : new Blob([options.stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = { stdout: "", stderr: "" };
  const collect = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) out[key] += decoder.decode(chunk, { stream: true });
    out[key] += decoder.decode();
  };
  const done = Promise.all([collect(proc.stdout, "stdout"), collect(proc.stderr, "stderr"), proc.exited]).then(
    ([, , code]) => ({ code, ...out }),
  );
  const seen = new Set<number>();
  return {
    pid: proc.pid,
    proc,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    done,
    seen,
    children() {
      const now = descendants(proc.pid);
      for (const pid of now) seen.add(pid);
      return now;
    },
    async [Symbol.asyncDispose]() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      killLeftovers(seen);
      await done;
      owned?.[Symbol.dispose]();
    },
  };
}

/** Runs `hangar ...args` to the end. */
export async function runHangar(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  await using running = startHangar(args, options);
  return await running.done;
}

/** The YAML of a config whose providers each run hangar's demo provider (`extra` is added verbatim). */
export function demoProvidersYaml(ids: readonly string[], extra = ""): string {
  const providers = ids.map(
    (id) => `  - id: ${id}\n    command: ${JSON.stringify([hangarBinary(), "demo-provider", "--name", id])}\n`,
  );
  return `${extra}providers:\n${providers.join("")}`;
}

/** The lines of `text`, without the empty one after the last newline. */
export function lines(text: string): string[] {
  const all = text.split("\n");
  if (all.at(-1) === "") all.pop();
  return all;
}

/** The arguments a process was started with, from /proc. */
export function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/** Whether `pid` is one of hangar's process-group watchdogs (`sh -c … hangar-watchdog`). */
export function isWatchdog(pid: number): boolean {
  return argvOf(pid).includes("hangar-watchdog");
}

/** The pid of the demo provider named `name` among `pids`. */
export function demoProviderPid(pids: readonly number[], name: string): number | undefined {
  return pids.find((pid) => {
    const argv = argvOf(pid);
    return argv.includes("demo-provider") && argv[argv.indexOf("--name") + 1] === name;
  });
}

/** Waits until hangar has (at least) `count` demo providers running below it, and returns their pids. */
export async function waitForProviders(running: Running, count: number): Promise<number[]> {
  let found: number[] = [];
  await waitFor(
    () => {
      found = running.children().filter((pid) => argvOf(pid).includes("demo-provider"));
      return found.length >= count;
    },
    10_000,
    `${count} provider processes under hangar`,
  );
  return found;
}

/** Waits until every pid in `pids` has exited; returns those still alive at the deadline (none, normally). */
export async function waitForExit(pids: Iterable<number>, timeoutMs = 10_000): Promise<number[]> {
  const list = [...pids];
  await waitFor(() => list.every((pid) => !isAlive(pid)), timeoutMs, "processes to exit").catch(() => {});
  return list.filter(isAlive);
}

/** Sends SIGKILL to each of `pids` still running dist/hangar (a test's own leftovers), ignoring the gone. */
export function killLeftovers(pids: Iterable<number>): void {
  for (const pid of pids) {
    if (argvOf(pid)[0] !== DIST_HANGAR) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
