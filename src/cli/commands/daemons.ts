import { type DaemonEntry, type DaemonStatus, listDaemons, runDir, stopDaemon } from "../../serve/shared/client.ts";
import { writeOut } from "../write-out.ts";

/** `hangar status`: the shared daemons of this user, their clients and providers. */
export async function runStatus(options: { json?: boolean }): Promise<number> {
  const daemons = await listDaemons(runDir());
  if (options.json) {
    await writeOut(`${JSON.stringify(daemons.map(jsonOf), null, 2)}\n`);
    return 0;
  }
  if (daemons.length === 0) {
    await writeOut("No shared Hangar daemon is running.\n");
    return 0;
  }
  await writeOut(daemons.map(describeDaemon).join("\n"));
  return 0;
}

/** `hangar stop`: stops every shared daemon of this user (running calls are cancelled, providers stopped). */
export async function runStop(): Promise<number> {
  const daemons = await listDaemons(runDir());
  if (daemons.length === 0) {
    await writeOut("No shared Hangar daemon is running.\n");
    return 0;
  }
  let failed = 0;
  for (const daemon of daemons) {
    const { pid, socket } = daemon.answered ? daemon.status : daemon;
    const stopped = await stopDaemon(socket, pid);
    if (!stopped) failed++;
    await writeOut(
      stopped
        ? `Stopped the shared daemon ${pid}${daemon.answered ? ` (config: ${daemon.status.config})` : ""}.\n`
        : `The shared daemon ${pid} did not stop; kill it with \`kill ${pid}\`.\n`,
    );
  }
  return failed === 0 ? 0 : 1;
}

function jsonOf(daemon: DaemonEntry): unknown {
  return daemon.answered ? daemon.status : { pid: daemon.pid, socket: daemon.socket, answered: false };
}

/** One daemon as `hangar status` prints it: what it runs, its clients, and its providers as a table. */
export function describeDaemon(daemon: DaemonEntry): string {
  if (!daemon.answered) return `Shared daemon ${daemon.pid}: does not answer on ${daemon.socket}\n`;
  const s = daemon.status;
  const lines = [
    `Shared daemon ${s.pid} (hangar ${s.version}, since ${s.started_at})${s.draining ? ` — draining: ${s.draining}` : ""}`,
    `  config:    ${s.config}`,
    `  cwd:       ${s.cwd}`,
    `  clients:   ${s.clients.length === 0 ? `none (it exits ${s.idle_exit_s} s after the last one left)` : s.clients.length}`,
    ...s.clients.map(
      (c) =>
        `    pid ${c.pid ?? "?"}  ${c.client ?? "(not initialized)"}  attached ${c.attached_s} s` +
        (c.own_providers?.length
          ? `; its own: ${c.own_providers.map((p) => `${p.id} ${p.state}${p.pid === undefined ? "" : ` pid ${p.pid}`}`).join(", ")}`
          : ""),
    ),
    `  providers:`,
    ...providerRows(s.providers),
  ];
  return `${lines.join("\n")}\n`;
}

/** The providers' lines, id, state and pid each padded to its column's widest, so the columns line up. */
function providerRows(providers: DaemonStatus["providers"]): string[] {
  const pids = providers.map((p) => (p.pid === undefined ? "" : `pid ${p.pid}`));
  const width = (cells: readonly string[]) => Math.max(0, ...cells.map((cell) => cell.length));
  const idWidth = width(providers.map((p) => p.id));
  const stateWidth = width(providers.map((p) => p.state));
  const pidWidth = width(pids);
  return providers.map((p, i) => {
    // No pid column at all when no provider runs (all cold): no gap where it would be.
    const pid = pidWidth === 0 ? "" : `${pids[i]!.padEnd(pidWidth)}  `;
    return `    ${p.id.padEnd(idWidth)}  ${p.state.padEnd(stateWidth)}  ${pid}${p.in_flight} running, ${p.calls} calls, ${p.starts} starts`;
  });
}
