/**
 * Doctor's client checks: the Claude Code, Claude Desktop and Cursor configs on this machine, whether
 * one of their entries starts `hangar serve`, whether that entry's command can be found, and whether a
 * client also starts, beside hangar, a server that is one of hangar's providers.
 */
import { access, constants } from "node:fs/promises";
import * as nodePath from "node:path";
import {
  allClientFiles,
  type ClientFile,
  type ClientLocations,
  type McpServerEntry,
  readClientConfig,
  shellWord,
  startsHangar,
} from "../clients/index.ts";
import type { ResolvedProvider } from "../config/index.ts";
import { which } from "../runtime/index.ts";
import { type Check, check } from "./check.ts";

/** The hangar setup the clients are compared with: its providers and where its config was found. */
export interface HangarSetup {
  readonly providers: readonly ResolvedProvider[];
  /** The config file doctor checked, and how it was found (undefined: the demo providers). */
  readonly config?: { readonly path: string; readonly via: string } | undefined;
}

/**
 * One `entry` check per client config file (a missing file is `info`, never a problem), and a `duplicate`
 * warning per server a client starts that is also one of `hangar.providers`.
 */
export async function checkClients(
  locations: ClientLocations,
  env: Readonly<Record<string, string | undefined>>,
  hangar: HangarSetup = { providers: [] },
): Promise<Check[]> {
  const checks = await Promise.all(allClientFiles(locations).map((file) => checkClient(file, locations, env, hangar)));
  return checks.flat();
}

/** The `hangar init` option that names the config doctor found, so that `--apply` keeps using it. */
function initFlag(hangar: HangarSetup, cwd: string): string {
  const config = hangar.config;
  if (config === undefined || config.path === nodePath.join(cwd, "hangar.yaml")) return "";
  return config.via === "home" ? " --global" : ` --path ${shellWord(config.path)}`;
}

/** The provider that runs the same server as a client's entry: same command and arguments, or same URL. */
function sameServer(entry: McpServerEntry, providers: readonly ResolvedProvider[]): ResolvedProvider | undefined {
  const args = Array.isArray(entry.args) ? entry.args : [];
  return providers.find((provider) => {
    const t = provider.transport;
    if (t.kind === "stdio") return entry.command === t.command && JSON.stringify(args) === JSON.stringify(t.args);
    if (t.kind === "http") return typeof entry.url === "string" && entry.url === t.url;
    return false;
  });
}

async function checkClient(
  file: ClientFile,
  locations: ClientLocations,
  env: Readonly<Record<string, string | undefined>>,
  setup: HangarSetup,
): Promise<Check[]> {
  const checks = [await checkEntry(file, locations, env, setup)];
  const read = await readClientConfig(file.path, file.label === "Claude Code" ? locations.cwd : undefined);
  if (read.kind !== "ok") return checks;
  for (const [name, entry] of Object.entries(read.servers)) {
    if (startsHangar(entry)) continue;
    const provider = sameServer(entry, setup.providers);
    if (provider === undefined) continue;
    checks.push(
      check(
        "client",
        file.label,
        "duplicate",
        "warn",
        `${file.path}: "${name}" is also hangar's provider "${provider.id}", so two copies of it run`,
        {
          fix: `remove "${name}" from ${file.path} and reach it through hangar (\`hangar init --import ${shellWord(file.path)} --move\` does that when importing)`,
        },
      ),
    );
  }
  return checks;
}

async function checkEntry(
  file: ClientFile,
  locations: ClientLocations,
  env: Readonly<Record<string, string | undefined>>,
  setup: HangarSetup,
): Promise<Check> {
  const item = (status: Check["status"], message: string, fix?: string) =>
    check("client", file.label, "entry", status, message, fix === undefined ? {} : { fix });
  const read = await readClientConfig(file.path, file.label === "Claude Code" ? locations.cwd : undefined);
  const apply = `hangar init${initFlag(setup, locations.cwd)} --client ${file.client} --apply`;
  if (read.kind === "missing") return item("info", `no config at ${file.path}`);
  if (read.kind === "invalid")
    return item("warn", `${file.path}: ${read.reason}`, "fix the file: the client cannot load it either");
  const entries = Object.entries(read.servers);
  const hangar = entries.find(([, entry]) => startsHangar(entry));
  if (hangar === undefined) {
    const others =
      entries.length === 0
        ? "no MCP servers"
        : `${entries.length} MCP server${entries.length === 1 ? "" : "s"}, none of them hangar`;
    return item(
      "warn",
      `${file.path}: ${others}`,
      `${apply} (or \`hangar init --import ${file.path}\` to move them into hangar first)`,
    );
  }
  const [name, entry] = hangar;
  const command = String(entry.command);
  const runnable = command.includes("/")
    ? await access(command, constants.X_OK).then(
        () => true,
        () => false,
      )
    : Boolean(which(command, { PATH: env.PATH ?? "" }));
  if (!runnable) {
    return item(
      "fail",
      `${file.path}: entry "${name}" runs ${command}, which cannot be found`,
      `${apply} writes the absolute path of this hangar`,
    );
  }
  return item("ok", `${file.path}: entry "${name}" starts hangar serve`);
}
