import { homedir } from "node:os";
import * as nodePath from "node:path";
import {
  applyEntry,
  CLIENTS,
  type ClientName,
  type CommandEntry,
  clientFile,
  hangarEntry,
  readClientConfig,
} from "../../clients/index.ts";
import { findConfigFile } from "../../config/index.ts";
import { UsageError } from "../../errors.ts";
import { exists, importedConfig, importServers, starterConfig, valueSourceOf, writeConfig } from "../../init/index.ts";
import { selfCommand } from "../../self-command.ts";
import type { GlobalOptions } from "../context.ts";
import { type ConfigRef, configRef, formatClientEntry, formatImport, formatMove } from "../init-output.ts";
import { writeOut } from "../write-out.ts";

export interface InitOptions {
  path?: string;
  global?: boolean;
  force?: boolean;
  import?: string;
  client?: ClientName;
  apply?: boolean;
  move?: boolean;
}

/** `hangar init`: writes a starter (or imported) config, then prints or applies the client entry. */
export async function runInit(options: InitOptions, global: GlobalOptions): Promise<number> {
  if (options.path !== undefined && options.global) throw new UsageError("Choose one of --path and --global");
  if (options.move && options.import === undefined) {
    throw new UsageError("--move needs --import <file>: the client config whose servers move into hangar");
  }
  if (options.apply && options.client === undefined) {
    throw new UsageError(`--apply needs --client (${CLIENTS.join(", ")}): the client whose config to write`);
  }
  const home = process.env.HOME ?? homedir();
  const cwd = process.cwd();
  const globalPath = nodePath.join(home, ".hangar", "config.yaml");
  const path = absolute(options.path ?? global.config ?? (options.global ? globalPath : "hangar.yaml"), cwd, home);
  const self = selfCommand();
  // A client does not start hangar in this directory: name the config unless hangar finds it from anywhere.
  const entryFor = (config: string) => hangarEntry(self, config === globalPath ? undefined : config);
  const out: string[] = [];
  let ok = true;

  if (options.import !== undefined) {
    const from = absolute(options.import, cwd, home);
    const read = await readClientConfig(from, cwd);
    if (read.kind === "missing") throw new UsageError(`Cannot import ${from}: it does not exist`);
    if (read.kind === "invalid") throw new UsageError(`Cannot import ${from}: ${read.reason}`);
    const source = valueSourceOf(from, home);
    const result = importServers(read.servers, read.projectDirs, source);
    const secrets = result.servers.some((server) => server.hasSecrets);
    const written = await writeConfig(path, importedConfig(result, from), {
      force: options.force ?? false,
      private: secrets,
      home,
    });
    out.push(...formatImport(written, result, from, secrets, await refTo(path, globalPath, cwd, home), source));
    ok = written.problems === undefined;
    if (options.move && !ok) out.push(`Nothing was moved out of ${from}: fix the config first.`);
    else if (options.move) {
      // In ~/.claude.json, a project's servers sit under projects[cwd]; everywhere else at the top.
      const inProject = (name: string) =>
        nodePath.basename(from) !== ".mcp.json" && Object.hasOwn(read.projectDirs, name) ? cwd : undefined;
      // A server hangar does not run as the client did stays where it works until its provider is fixed.
      const moving = result.servers.filter((server) => server.notCarried.length === 0);
      const remove = moving.map((server) => ({ name: server.name, project: inProject(server.name) }));
      const kept = result.servers.filter((server) => server.notCarried.length > 0);
      out.push(...formatMove(await applyEntry(from, entryFor(path), { remove }), kept));
    }
  } else if ((await exists(path)) && !options.force) {
    out.push(`Kept ${path}: it already exists (--force replaces it with the starter config).`);
  } else {
    const written = await writeConfig(path, starterConfig(self), { force: options.force ?? false, home });
    out.push(
      `${written.replaced ? "Replaced" : "Wrote"} ${path}: a starter config with hangar's two demo providers (demo, demo2) and commented examples.`,
    );
    const ref = await refTo(path, globalPath, cwd, home);
    out.push(`Edit it, then check it with \`hangar ${ref.configFlag}doctor\`.`);
  }

  const entry: CommandEntry = entryFor(path);
  if (options.apply && options.client !== undefined) {
    out.push("");
    const file = clientFile(options.client, { home, cwd });
    const applied = await applyEntry(file.path, entry);
    const backup = applied.backup === undefined ? "" : ` (the old file is kept as ${applied.backup})`;
    if (applied.unchanged) out.push(`The "hangar" entry in ${file.path} is already up to date; nothing was changed.`);
    else
      out.push(
        `${applied.replaced ? "Replaced" : "Added"} the "hangar" entry in ${file.path}${backup}; restart ${file.label} to load it.`,
      );
  } else if (!options.move || !ok) {
    out.push("");
    const clients = options.client === undefined ? [...CLIENTS] : [options.client];
    out.push(...formatClientEntry(entry, clients, { home, cwd }, await refTo(path, globalPath, cwd, home)));
  }
  await writeOut(`${out.join("\n")}\n`);
  return ok ? 0 : 1;
}

/** The `ConfigRef` of the config just written at `path`: a bare `hangar doctor` here reads it, or not. */
async function refTo(path: string, globalPath: string, cwd: string, home: string): Promise<ConfigRef> {
  const found = await findConfigFile({ cwd, home }).catch(() => undefined);
  return configRef(path, globalPath, found?.path === path);
}

function absolute(path: string, cwd: string, home: string): string {
  const expanded = path === "~" ? home : path.startsWith("~/") ? nodePath.join(home, path.slice(2)) : path;
  return nodePath.resolve(cwd, expanded);
}
