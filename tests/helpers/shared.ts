// The shared daemon of `hangar serve --shared` in a sandbox: its own XDG_RUNTIME_DIR, an event log the
// shared-server fixture writes to, `hangar status --json`, and cleanup that leaves no daemon behind.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DaemonStatus } from "../../src/serve/shared/index.ts";
import { runHangar, type Sandbox, sandbox } from "./e2e.ts";
import { fixture } from "./paths.ts";
import { descendants, isAlive, waitFor } from "./processes.ts";
import { type ServeOptions, type ServeSession, serve } from "./serve.ts";

/** A sandbox for shared-daemon tests; on dispose every daemon it started is stopped or killed. */
export interface SharedBox extends AsyncDisposable {
  readonly box: Sandbox;
  /** The sandbox's environment with its own XDG_RUNTIME_DIR and EVENT_LOG. */
  readonly env: Record<string, string>;
  readonly runDir: string;
  /** Lines the fixture providers wrote ("start <name> <pid>", "cancelled <tag>"). */
  events(): string[];
  /** Writes hangar.yaml with shared-server providers named `names` (`extra` on top verbatim; `perClient` ones `per_client: true`). */
  config(names: readonly string[], extra?: string, perClient?: readonly string[]): void;
  /** A `hangar serve --shared` client (more `args` after it; `options` as for `serve`). */
  client(args?: readonly string[], options?: Omit<ServeOptions, "args" | "env">): Promise<ServeSession>;
  /** `hangar status --json`. */
  status(): Promise<DaemonStatus[]>;
}

/** A fresh shared-daemon sandbox; use it with `await using`. */
export function sharedBox(): SharedBox {
  const box = sandbox();
  const xdg = join(box.root, "xdg");
  mkdirSync(xdg, { mode: 0o700 });
  const eventLog = join(box.root, "events.log");
  const env = { ...box.env, XDG_RUNTIME_DIR: xdg, EVENT_LOG: eventLog };
  const daemons = new Set<number>();
  const status = async (): Promise<DaemonStatus[]> => {
    const run = await runHangar(["status", "--json"], { env, cwd: box.cwd });
    const list = JSON.parse(run.stdout) as DaemonStatus[];
    for (const daemon of list) daemons.add(daemon.pid);
    return list;
  };
  return {
    box,
    env,
    runDir: join(xdg, "hangar"),
    events: () => (existsSync(eventLog) ? readFileSync(eventLog, "utf8").trim().split("\n").filter(Boolean) : []),
    config(names, extra = "", perClient = []) {
      const providers = names.map(
        (name) =>
          `  - id: ${name}\n    command: ${JSON.stringify(fixture("shared-server.ts"))}\n    env: { NAME: ${name} }\n` +
          (perClient.includes(name) ? "    per_client: true\n" : ""),
      );
      box.write("hangar.yaml", `${extra}providers:\n${providers.join("")}`);
    },
    client: (args = [], options = {}) => serve(box, { ...options, args: ["--shared", ...args], env }),
    status,
    async [Symbol.asyncDispose]() {
      await status().catch(() => []);
      const below = [...daemons].flatMap((pid) => descendants(pid));
      await runHangar(["stop"], { env, cwd: box.cwd });
      const all = [...daemons, ...below];
      await waitFor(() => all.every((pid) => !isAlive(pid)), 10_000, "shared daemons to exit").catch(() => {});
      for (const pid of all.filter(isAlive)) process.kill(pid, "SIGKILL");
      box[Symbol.dispose]();
    },
  };
}
