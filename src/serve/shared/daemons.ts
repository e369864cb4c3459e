import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "../../runtime/index.ts";
import { DaemonLink } from "./daemon-link.ts";
import type { DaemonStatus } from "./daemon-status.ts";
import { type Hello, helloLine } from "./hello.ts";

/** A daemon found in the run directory: what it answered, or that it did not answer. */
export type DaemonEntry =
  | { readonly answered: true; readonly status: DaemonStatus }
  | { readonly answered: false; readonly pid: number; readonly socket: string };

/**
 * The daemons of the run directory `dir`, each asked for its status on its socket. The files of a
 * daemon that is gone (killed: its pid is dead) are removed on the way.
 */
export async function listDaemons(dir: string): Promise<DaemonEntry[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(".daemon.json"));
  } catch {
    return [];
  }
  const entries: DaemonEntry[] = [];
  for (const name of names) {
    let info: { pid?: unknown; socket?: unknown };
    try {
      info = JSON.parse(readFileSync(join(dir, name), "utf8"));
    } catch {
      continue;
    }
    if (typeof info.pid !== "number" || typeof info.socket !== "string") continue;
    const answer = await ask(info.socket, { op: "status" });
    if (answer !== undefined) {
      entries.push({ answered: true, status: answer as DaemonStatus });
      continue;
    }
    if (processAlive(info.pid)) entries.push({ answered: false, pid: info.pid, socket: info.socket });
    else {
      rmSync(join(dir, name), { force: true });
      rmSync(info.socket, { force: true });
    }
  }
  return entries;
}

/** Asks the daemon on `socket` to stop; resolves once its process is gone (false: it did not answer). */
export async function stopDaemon(socket: string, pid: number, timeoutMs = 15_000): Promise<boolean> {
  const answer = await ask(socket, { op: "stop" });
  if (answer === undefined) return false;
  const end = Date.now() + timeoutMs;
  while (processAlive(pid) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
  return !processAlive(pid);
}

/** Sends a hello on `socket` and reads the one JSON line the daemon answers. */
async function ask(socket: string, hello: Hello): Promise<unknown> {
  const connection = await DaemonLink.connect(socket);
  if (connection === undefined) return undefined;
  connection.write(helloLine(hello));
  return new Promise((resolve) => {
    let text = "";
    const timer = setTimeout(() => connection.destroy(), 5000);
    connection.ondata = (chunk: Buffer) => (text += chunk.toString("utf8"));
    connection.onclose = () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(text.split("\n")[0] ?? ""));
      } catch {
        resolve(undefined);
      }
    };
    connection.resume();
  });
}
