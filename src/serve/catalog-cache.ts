import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedProvider } from "../config/index.ts";
import { hangarHome } from "../hangar-home.ts";
import { ENV } from "../knobs.ts";
import type { ProviderCatalog } from "../pool/index.ts";
import { sha256Hex } from "../runtime/index.ts";

/** Bump when the file's shape changes, so old files are ignored rather than misread. */
const FORMAT = 1;
/** A temp file's name: `<final name>.<pid of its writer>.tmp`. */
const TEMP_NAME = /^catalog-.*\.json\.(\d+)\.tmp$/;
/** A temp file older than this is left over even if a process with its writer's pid runs (pids are reused). */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;

/** The default cache folder: `$HANGAR_CACHE_DIR`, else `$HANGAR_HOME/cache` (default `~/.hangar/cache`). */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env[ENV.cacheDir] || join(hangarHome(env), "cache");
}

/**
 * Providers' catalogs on disk, one file per provider keyed by a hash of its launch config (command,
 * args, env, cwd, image or URL, and env_inherit and the variables it is not given), so `tools/list` can answer on a cold start without starting anything
 * and a changed launch config never reads a stale catalog. Files hold only what the provider lists,
 * never the launch config itself (its env and headers may hold secrets).
 */
export class CatalogCache {
  constructor(private readonly dir: string = defaultCacheDir()) {}

  /** The file of a provider's catalog. */
  fileOf(provider: ResolvedProvider): string {
    const hash = sha256Hex(JSON.stringify({ id: provider.id, transport: provider.transport }));
    return join(this.dir, `catalog-${provider.id}-${hash.slice(0, 16)}.json`);
  }

  /** The cached catalog, or undefined when there is none (or it cannot be read). */
  read(provider: ResolvedProvider): ProviderCatalog | undefined {
    try {
      const data = JSON.parse(readFileSync(this.fileOf(provider), "utf8")) as {
        format?: number;
        catalog?: ProviderCatalog;
      };
      const catalog = data.catalog;
      if (data.format !== FORMAT || !catalog || !Array.isArray(catalog.tools)) return undefined;
      return {
        tools: catalog.tools,
        prompts: catalog.prompts ?? [],
        resources: catalog.resources ?? [],
        resourceTemplates: catalog.resourceTemplates ?? [],
      };
    } catch {
      return undefined;
    }
  }

  /**
   * Saves a catalog (written whole, then renamed, so a reader never sees half a file). Throws on I/O
   * errors (a full disk), after removing its temp file.
   */
  write(provider: ResolvedProvider, catalog: ProviderCatalog): void {
    mkdirSync(this.dir, { recursive: true });
    const file = this.fileOf(provider);
    const temp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(
        temp,
        JSON.stringify({ format: FORMAT, provider: provider.id, saved_at: new Date().toISOString(), catalog }),
      );
      renameSync(temp, file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  /**
   * Removes the temp files that writers left behind: those whose writer (the pid in the name) is no
   * longer alive, or that are over an hour old. Never throws; called once when hangar starts serving.
   */
  removeLeftovers(now = Date.now()): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return; // No folder yet: nothing left over.
    }
    for (const name of names) {
      const pid = TEMP_NAME.exec(name)?.[1];
      if (pid === undefined) continue;
      const path = join(this.dir, name);
      try {
        if (isAlive(Number(pid)) && now - statSync(path).mtimeMs < TEMP_MAX_AGE_MS) continue;
        rmSync(path, { force: true });
      } catch {
        // Gone already, or not ours to remove.
      }
    }
  }
}

/** Whether a process with this pid exists (one of another user counts). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
