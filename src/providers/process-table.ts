/**
 * Reading other processes: when one started (its identity, as a pid alone may be reused) and which
 * processes are in a process group. Linux reads /proc; elsewhere `ps` answers.
 */
import { readdirSync, readFileSync } from "node:fs";
import { runToEndSync } from "../runtime/index.ts";

/** A process: its id, its process group and when it started (clock ticks since boot on Linux). */
export interface ProcessRow {
  readonly pid: number;
  readonly pgid: number;
  readonly start: number;
}

const HAS_PROC = process.platform === "linux";

/** One /proc/<pid>/stat line as a row; undefined for a zombie or an unreadable line. */
function parseStat(pid: number, stat: string): ProcessRow | undefined {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return undefined;
  const pgid = Number(fields[2]);
  const start = Number(fields[19]);
  return Number.isFinite(pgid) && Number.isFinite(start) ? { pid, pgid, start } : undefined;
}

/** Every process `ps` lists, with `lstart` turned into seconds since the epoch. */
function psRows(only?: number): ProcessRow[] {
  const args = only === undefined ? ["-A"] : ["-p", String(only)];
  const stdout = runToEndSync(["ps", ...args, "-o", "pid=", "-o", "pgid=", "-o", "lstart="]);
  const rows: ProcessRow[] = [];
  for (const line of stdout.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s+(.+?)\s*$/.exec(line);
    if (!match) continue;
    const start = Date.parse(match[3]!);
    if (Number.isFinite(start)) rows.push({ pid: Number(match[1]), pgid: Number(match[2]), start: start / 1000 });
  }
  return rows;
}

/** The process `pid` now, or undefined when there is none (a zombie counts as none). */
export function processRow(pid: number): ProcessRow | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (!HAS_PROC) return psRows(pid)[0];
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** Whether process `pid` is alive and is the one that started at `start` (not a later one with its pid). */
export function isSameProcess(pid: number, start: number): boolean {
  return processRow(pid)?.start === start;
}

/** Every live process whose process group is `pgid`. */
export function processesInGroup(pgid: number): ProcessRow[] {
  if (!HAS_PROC) return psRows().filter((row) => row.pgid === pgid);
  const rows: ProcessRow[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const row = processRow(Number(entry));
    if (row?.pgid === pgid) rows.push(row);
  }
  return rows;
}
