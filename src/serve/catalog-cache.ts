import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedProvider } from "../config/index.ts";
import { hangarHome } from "../hangar-home.ts";
import { ENV } from "../knobs.ts";
import type { ProviderCatalog } from "../pool/index.ts";
import type { EraMemory, EraVerdict } from "../providers/index.ts";
import { processAlive, sha256Hex } from "../runtime/index.ts";

/** Bump when the file's shape changes, so old files are ignored rather than misread (2: the era verdict). */
const FORMAT = 2;
/** How long a legacy verdict is trusted before the provider is probed again (an upgrade is then noticed). */
const LEGACY_HORIZON_MS = 24 * 60 * 60 * 1000;

/** The era verdict as the file keeps it: a legacy one dated, so it can expire. */
type StoredEra = Extract<EraVerdict, { kind: "modern" }> | { readonly kind: "legacy"; readonly at: string };

/** What one cache file holds. */
interface CacheFile {
  format?: number;
  provider?: string;
  saved_at?: string;
  catalog?: ProviderCatalog;
  era?: StoredEra;
}
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
 * and a changed launch config never reads a stale catalog. Beside the catalog, the provider's protocol
 * era (`EraMemory`): its `server/discover` answer, or "legacy" with the date it was judged, so the next
 * start sends no probe. Files hold only what the provider said, never the launch config itself (its env
 * and headers may hold secrets).
 */
export class CatalogCache implements EraMemory {
  constructor(
    private readonly dir: string = defaultCacheDir(),
    /** How long a legacy verdict holds before the provider is probed again (default 24 h). */
    private readonly legacyHorizonMs = LEGACY_HORIZON_MS,
  ) {}

  /** The file of a provider's catalog. */
  fileOf(provider: ResolvedProvider): string {
    const hash = sha256Hex(JSON.stringify({ id: provider.id, transport: provider.transport }));
    return join(this.dir, `catalog-${provider.id}-${hash.slice(0, 16)}.json`);
  }

  /** The cached catalog, or undefined when there is none (or it cannot be read). */
  read(provider: ResolvedProvider): ProviderCatalog | undefined {
    const catalog = this.load(provider).catalog;
    if (!catalog || !Array.isArray(catalog.tools)) return undefined;
    return {
      tools: catalog.tools,
      prompts: catalog.prompts ?? [],
      resources: catalog.resources ?? [],
      resourceTemplates: catalog.resourceTemplates ?? [],
    };
  }

  /**
   * Saves a catalog, keeping the era verdict beside it (written whole, then renamed, so a reader never
   * sees half a file). Throws on I/O errors (a full disk), after removing its temp file.
   */
  write(provider: ResolvedProvider, catalog: ProviderCatalog): void {
    const { era } = this.load(provider);
    this.save(provider, { catalog, ...(era ? { era } : {}) });
  }

  /** The remembered era, if still trusted: a modern verdict until it fails a start, a legacy one for 24 h. */
  recall(provider: ResolvedProvider, now = Date.now()): EraVerdict | undefined {
    const era = this.load(provider).era;
    if (era?.kind === "modern")
      return typeof era.discover === "object" ? { kind: "modern", discover: era.discover } : undefined;
    if (era?.kind !== "legacy") return undefined;
    const age = now - Date.parse(era.at);
    return age >= 0 && age < this.legacyHorizonMs ? { kind: "legacy" } : undefined;
  }

  /** Keeps a verdict beside the catalog; never throws (a cache that cannot be written costs a probe). */
  remember(provider: ResolvedProvider, verdict: EraVerdict, now = Date.now()): void {
    const era: StoredEra = verdict.kind === "legacy" ? { kind: "legacy", at: new Date(now).toISOString() } : verdict;
    this.update(provider, era);
  }

  /** Drops the verdict; never throws. */
  forget(provider: ResolvedProvider): void {
    this.update(provider, undefined);
  }

  private update(provider: ResolvedProvider, era: StoredEra | undefined): void {
    const { catalog } = this.load(provider);
    try {
      this.save(provider, { ...(catalog ? { catalog } : {}), ...(era ? { era } : {}) });
    } catch {
      // Nothing lost but the next start's probe.
    }
  }

  /** The provider's file in this format, or an empty one. */
  private load(provider: ResolvedProvider): CacheFile {
    try {
      const data = JSON.parse(readFileSync(this.fileOf(provider), "utf8")) as CacheFile;
      return data.format === FORMAT ? data : {};
    } catch {
      return {};
    }
  }

  private save(provider: ResolvedProvider, content: Pick<CacheFile, "catalog" | "era">): void {
    mkdirSync(this.dir, { recursive: true });
    const file = this.fileOf(provider);
    const temp = `${file}.${process.pid}.tmp`;
    const data: CacheFile = { format: FORMAT, provider: provider.id, saved_at: new Date().toISOString(), ...content };
    try {
      writeFileSync(temp, JSON.stringify(data));
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
        if (processAlive(Number(pid)) && now - statSync(path).mtimeMs < TEMP_MAX_AGE_MS) continue;
        rmSync(path, { force: true });
      } catch {
        // Gone already, or not ours to remove.
      }
    }
  }
}
