import { createHash, randomUUID } from "node:crypto";
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hangarHome } from "../hangar-home.ts";
import { ENV } from "../knobs.ts";
import { serverKey, type TokenRecord, tokenRecordSchema } from "./token-record.ts";

/** An environment to read paths from (default `process.env`). */
type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where sign-ins are stored: `$HANGAR_TOKENS_DIR`, else `$HANGAR_HOME/tokens` (default
 * `~/.hangar/tokens`). Every `*.json` file in it is read, whatever its name, so the folder can be a
 * mounted Kubernetes Secret whose keys are the files `hangar auth login` wrote.
 */
export function tokensDir(env: Env = process.env): string {
  const dir = env[ENV.tokensDir];
  if (dir !== undefined && dir !== "") return dir;
  return join(hangarHome(env), "tokens");
}

/** One stored sign-in and the file it came from. */
export interface StoredRecord {
  readonly path: string;
  readonly record: TokenRecord;
}

/** The file name of a sign-in: one per issuer and resource. */
export function recordFileName(issuer: string, resource: string): string {
  return `${createHash("sha256").update(`${issuer}\n${resource}`).digest("hex").slice(0, 32)}.json`;
}

/** Reads every sign-in in `dir`; a missing folder has none, and files that are not sign-ins are skipped. */
export async function readRecords(dir: string): Promise<StoredRecord[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const records: StoredRecord[] = [];
  // Dot-names are a Secret mount's own (`..data`) and our temporary files.
  for (const name of names.filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort()) {
    const path = join(dir, name);
    try {
      const parsed = tokenRecordSchema.safeParse(JSON.parse(await readFile(path, "utf8")));
      if (parsed.success) records.push({ path, record: parsed.data });
    } catch {
      // Unreadable or not JSON: not a sign-in.
    }
  }
  return records;
}

/** The newest sign-in for the server at `url` (the provider's URL), if any. */
export async function findRecord(dir: string, url: string): Promise<StoredRecord | undefined> {
  const key = serverKey(url);
  const matching = (await readRecords(dir)).filter(({ record }) => serverKey(record.server_url) === key);
  return matching.sort((a, b) => b.record.tokens.obtained_at - a.record.tokens.obtained_at)[0];
}

/**
 * Writes a sign-in to its file in `dir` (created with mode 0700) with mode 0600, atomically: a
 * reader sees the old record or the new one, never half of one. Returns the file's path.
 */
export async function writeRecord(dir: string, record: TokenRecord): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, recordFileName(record.issuer, record.resource));
  const temporary = join(dir, `.${randomUUID()}.tmp`);
  try {
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return path;
}

/** Removes a stored sign-in's file. */
export async function removeRecord(path: string): Promise<void> {
  await rm(path, { force: true });
}
