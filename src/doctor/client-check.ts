/**
 * Doctor's client checks: the Claude Code, Claude Desktop and Cursor configs on this machine, whether
 * one of their entries starts `hangar serve`, and whether that entry's command can be found.
 */
import { access, constants } from "node:fs/promises";
import {
  allClientFiles,
  type ClientFile,
  type ClientLocations,
  readClientConfig,
  startsHangar,
} from "../clients/index.ts";
import { type Check, check } from "./check.ts";

/** One check per client config file; a missing file is `info`, never a problem. */
export async function checkClients(
  locations: ClientLocations,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Check[]> {
  return await Promise.all(allClientFiles(locations).map((file) => checkClient(file, locations, env)));
}

async function checkClient(
  file: ClientFile,
  locations: ClientLocations,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Check> {
  const item = (status: Check["status"], message: string, fix?: string) =>
    check("client", file.label, "entry", status, message, fix === undefined ? {} : { fix });
  const read = await readClientConfig(file.path, file.label === "Claude Code" ? locations.cwd : undefined);
  const apply = `hangar init --client ${file.client} --apply`;
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
    : Boolean(Bun.which(command, { PATH: env.PATH ?? "" }));
  if (!runnable) {
    return item(
      "fail",
      `${file.path}: entry "${name}" runs ${command}, which cannot be found`,
      `${apply} writes the absolute path of this hangar`,
    );
  }
  return item("ok", `${file.path}: entry "${name}" starts hangar serve`);
}
