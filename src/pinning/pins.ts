import { accessSync, constants } from "node:fs";
import { dirname } from "node:path";
import type { Clock } from "../clock.ts";
import type { PinningMode } from "../config/index.ts";
import { CallError, ConfigError, messageOf } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import type { CatalogReview, ProviderCatalog } from "../pool/index.ts";
import { type Definition, digestOf, type PinKind, promptDefinition, toolDefinition } from "./definition.ts";
import { type DefinitionDiff, diffDefinitions } from "./definition-diff.ts";
import { type LockData, type LockFile, type PinnedItem, type ProviderPins, pinsOf } from "./lock-file.ts";

/** Options of `Pins`; every field says its default. */
export interface PinsOptions {
  /** What a changed or added definition does. */
  readonly mode: PinningMode;
  /** The lock file (undefined: pins are kept in memory only). */
  readonly lock: LockFile | undefined;
  readonly logger: Logger;
  /** Times the look for approvals made by another process. */
  readonly clock: Clock;
  /** Record a provider's first listing in the lock (default true; `hangar doctor` only looks). */
  readonly record?: boolean;
  /** How often to look whether the lock file changed (`hangar pin` approved something), in ms (default 1000; 0 = never). */
  readonly reloadMs?: number;
}

/** A listed tool or prompt that is not what the lock pins. */
export interface PinChange {
  readonly provider: string;
  readonly kind: PinKind;
  readonly name: string;
  /** `changed`: its definition differs from the pinned one; `added`: new on a provider already recorded. */
  readonly change: "changed" | "added";
  /** The pinned definition (undefined for an added item). */
  readonly recorded: Definition | undefined;
  /** The definition listed now. */
  readonly listed: Definition;
  /** The digest of `listed`, which approving it pins. */
  readonly digest: string;
  /** Held back from clients until approved (`pinning: block`). */
  readonly withheld: boolean;
}

/**
 * Tool pinning (docs/pinning.md): every listing is compared with the definitions pinned in the lock
 * file. A provider's first listing is trusted and recorded; afterwards a changed or new tool or prompt
 * is reported once in the log and, with `block`, withheld (and calls to it refused) until approved.
 * Approvals are written to the lock by `approve` (`hangar pin`); a running hangar sees them within
 * `reloadMs`. Where the lock cannot be written, the pins are enforced as they are and first listings
 * are trusted in memory only.
 */
export class Pins implements CatalogReview {
  private data: LockData;
  private stamp: string;
  /** First listings trusted but not saved (the lock file cannot be written). */
  private readonly unsaved = new Map<string, ProviderPins>();
  /** Each provider's last listing, as given, so a revision can review it again. */
  private readonly listings = new Map<string, ProviderCatalog>();
  private readonly pending = new Map<string, readonly PinChange[]>();
  /** Changes already logged (provider, kind, name, digest), so each is logged once. */
  private readonly told = new Set<string>();
  private readonly listeners = new Set<() => void>();
  /** Why the lock file cannot be written, once known. */
  private writeProblem: string | undefined;
  private timer: unknown;
  private closed = false;

  constructor(private readonly options: PinsOptions) {
    const lock = options.lock;
    this.data = options.mode === "off" || lock === undefined ? { providers: {} } : lock.read();
    this.stamp = lock?.stamp() ?? "";
    this.writeProblem = lock === undefined ? "there is no lock file" : probeWritable(lock.path);
    this.schedule();
  }

  /** What a change does. */
  get mode(): PinningMode {
    return this.options.mode;
  }

  /** The lock file's path (undefined when pins are kept in memory). */
  get lockPath(): string | undefined {
    return this.options.lock?.path;
  }

  /** Why the lock file cannot be written (undefined while it can). */
  get lockProblem(): string | undefined {
    return this.writeProblem;
  }

  /** Whether a provider's definitions are pinned (in the lock, or trusted in memory). */
  recorded(providerId: string): boolean {
    return this.pinsFor(providerId) !== undefined;
  }

  /**
   * What of a provider's listing may be served: all of it, except, with `block`, the tools and prompts
   * that changed or were added since it was pinned. Records the first listing of a provider (TOFU).
   */
  review(providerId: string, listed: ProviderCatalog): ProviderCatalog {
    if (this.options.mode === "off") return listed;
    this.listings.set(providerId, listed);
    const pinned = this.pinsFor(providerId);
    if (pinned === undefined) {
      this.pending.delete(providerId);
      if (this.options.record ?? true) this.record(providerId, pinsFrom(listed));
      return listed;
    }
    const changes = this.compare(providerId, pinned, listed);
    this.pending.set(providerId, changes);
    for (const change of changes) this.tell(change);
    return this.withhold(listed, changes);
  }

  /**
   * What of a catalog read from the disk cache may be served, with nothing recorded or logged: with
   * `block`, the tools and prompts that differ from a recorded provider's pins are left out.
   */
  screen(providerId: string, cached: ProviderCatalog): ProviderCatalog {
    const pinned = this.pinsFor(providerId);
    if (this.options.mode !== "block" || pinned === undefined) return cached;
    return this.withhold(cached, this.compare(providerId, pinned, cached));
  }

  /** Calls `listener` whenever reviews may come out differently (the pins changed); returns a stop function. */
  onRevised(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The changes the last listings showed, of one provider or of all. */
  changes(providerId?: string): PinChange[] {
    if (providerId !== undefined) return [...(this.pending.get(providerId) ?? [])];
    return [...this.pending.values()].flat();
  }

  /**
   * The names of the tools and prompts in a provider's last listing (undefined before it was listed), so
   * that `hangar pin` can tell a name the provider lacks from one that matches the lock.
   */
  listedNames(providerId: string): string[] | undefined {
    const listed = this.listings.get(providerId);
    if (listed === undefined) return undefined;
    return [...listed.tools.map((t) => t.name), ...listed.prompts.map((p) => p.name)];
  }

  /** Why a call to a tool is refused (`denied`), or undefined when it is not withheld. */
  refusal(providerId: string, tool: string): CallError | undefined {
    if (this.options.mode !== "block") return undefined;
    const changes = this.pending.get(providerId);
    if (changes === undefined || changes.length === 0) return undefined;
    const change = changes.find((c) => c.kind === "tool" && c.name === tool);
    if (change === undefined) return undefined;
    const what =
      change.change === "added"
        ? `is new since provider "${providerId}" was pinned`
        : `changed (${diffOf(change).fields.join(", ")}) since it was pinned`;
    return new CallError(
      "denied",
      `Tool "${tool}" of provider "${providerId}" ${what} in ${this.lockPath ?? "memory"}; it is withheld until ` +
        `approved: review and approve it with \`hangar pin ${providerId}/${tool}\`${this.whereWritable()}`,
    );
  }

  /**
   * Pins the listed definitions of the changes `select` picks and writes the lock; returns them. Throws
   * ConfigError when the lock cannot be written.
   */
  approve(select: (change: PinChange) => boolean): PinChange[] {
    const chosen = this.changes().filter(select);
    const lock = this.options.lock;
    if (chosen.length === 0) return [];
    if (lock === undefined) throw new ConfigError("There is no lock file to write approvals to");
    const providers: Record<string, ProviderPins> = { ...readOr(lock, this.data).providers };
    for (const change of chosen) {
      const entry = own(providers, change.provider) ?? this.unsaved.get(change.provider) ?? empty();
      const item: PinnedItem = { digest: change.digest, definition: change.listed };
      providers[change.provider] =
        change.kind === "tool"
          ? { ...entry, tools: { ...entry.tools, [change.name]: item } }
          : { ...entry, prompts: { ...entry.prompts, [change.name]: item } };
    }
    try {
      lock.write({ providers });
    } catch (error) {
      throw new ConfigError(
        `Cannot write the lock file ${lock.path}: ${messageOf(error)}; approvals are made with \`hangar pin\` where it is writable`,
      );
    }
    this.data = { providers };
    this.stamp = lock.stamp();
    this.revise();
    return chosen;
  }

  /** Stops looking for changes of the lock file. */
  close(): void {
    this.closed = true;
    this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pinsFor(providerId: string): ProviderPins | undefined {
    return own(this.data.providers, providerId) ?? this.unsaved.get(providerId);
  }

  private compare(providerId: string, pinned: ProviderPins, listed: ProviderCatalog): PinChange[] {
    const withheld = this.options.mode === "block";
    const items: [PinKind, string, Definition][] = [
      ...listed.tools.map((t): [PinKind, string, Definition] => ["tool", t.name, toolDefinition(t)]),
      ...listed.prompts.map((p): [PinKind, string, Definition] => ["prompt", p.name, promptDefinition(p)]),
    ];
    const changes: PinChange[] = [];
    for (const [kind, name, definition] of items) {
      const recorded = own(pinsOf(pinned, kind), name);
      const digest = digestOf(definition);
      if (recorded?.digest === digest) continue;
      changes.push({
        provider: providerId,
        kind,
        name,
        change: recorded ? "changed" : "added",
        recorded: recorded?.definition,
        listed: definition,
        digest,
        withheld,
      });
    }
    return changes;
  }

  /** The catalog without the withheld items (all of it unless `block`). */
  private withhold(listed: ProviderCatalog, changes: readonly PinChange[]): ProviderCatalog {
    if (this.options.mode !== "block" || changes.length === 0) return listed;
    const held = (kind: PinKind, name: string) => changes.some((c) => c.kind === kind && c.name === name);
    return {
      ...listed,
      tools: listed.tools.filter((t) => !held("tool", t.name)),
      prompts: listed.prompts.filter((p) => !held("prompt", p.name)),
    };
  }

  /** Records a provider's first listing in the lock, or in memory when the lock cannot be written. */
  private record(providerId: string, entry: ProviderPins): void {
    const lock = this.options.lock;
    const { logger } = this.options;
    if (lock === undefined) {
      this.unsaved.set(providerId, entry);
      return;
    }
    try {
      const providers = { ...lock.read().providers, [providerId]: entry };
      lock.write({ providers });
      this.data = { providers };
      this.stamp = lock.stamp();
      this.writeProblem = undefined;
      logger.info(
        { provider: providerId, lock_file: lock.path, tools: Object.keys(entry.tools).length },
        "first listing of the provider: its tool definitions are trusted and pinned",
      );
    } catch (error) {
      this.unsaved.set(providerId, entry);
      this.writeProblem = messageOf(error);
      if (this.told.has("write")) return;
      this.told.add("write");
      logger.warn(
        { provider: providerId, lock_file: lock.path, err: this.writeProblem },
        "cannot write the lock file: hangar enforces it as it is and trusts new providers for this run only; " +
          "approvals are made with `hangar pin` where the file is writable",
      );
    }
  }

  /** Logs a change once, with its diff. */
  private tell(change: PinChange): void {
    const key = JSON.stringify([change.provider, change.kind, change.name, change.digest]);
    if (this.told.has(key)) return;
    this.told.add(key);
    const diff = diffOf(change);
    const what = change.change === "added" ? `a new ${change.kind} appeared` : `a ${change.kind}'s definition changed`;
    const outcome = change.withheld
      ? `withheld until approved with \`hangar pin\`${this.whereWritable()}`
      : "served anyway (pinning: warn); review it with `hangar pin`";
    this.options.logger.warn(
      { provider: change.provider, [change.kind]: change.name, fields: diff.fields, diff: diff.text },
      `${what} since the provider was pinned: ${outcome}`,
    );
  }

  /** " where … is writable" when this process cannot write the lock file. */
  private whereWritable(): string {
    return this.writeProblem === undefined || this.lockPath === undefined
      ? ""
      : ` where ${this.lockPath} is writable (here it is not: ${this.writeProblem})`;
  }

  /** Tells the listeners that the pins changed, so every listing is reviewed again. */
  private revise(): void {
    for (const listener of this.listeners) listener();
  }

  /** Looks every `reloadMs` whether another process changed the lock file, and takes it up. */
  private schedule(): void {
    const every = this.options.reloadMs ?? 1000;
    const lock = this.options.lock;
    if (every <= 0 || lock === undefined || this.options.mode === "off" || this.closed) return;
    this.timer = this.options.clock.setTimeout(() => {
      const stamp = lock.stamp();
      if (stamp !== this.stamp) {
        this.stamp = stamp;
        try {
          this.data = lock.read();
          this.revise();
        } catch (error) {
          this.options.logger.warn(
            { err: messageOf(error) },
            "cannot read the changed lock file; keeping the pins read before",
          );
        }
      }
      this.schedule();
    }, every);
  }
}

/** A change's diff, pinned definition first. */
export function diffOf(change: PinChange): DefinitionDiff {
  return diffDefinitions(change.recorded, change.listed);
}

/** The pins of a whole listing (a provider's first). */
function pinsFrom(listed: ProviderCatalog): ProviderPins {
  const item = (definition: Definition): PinnedItem => ({ digest: digestOf(definition), definition });
  return {
    tools: Object.fromEntries(listed.tools.map((t) => [t.name, item(toolDefinition(t))])),
    prompts: Object.fromEntries(listed.prompts.map((p) => [p.name, item(promptDefinition(p))])),
  };
}

function empty(): ProviderPins {
  return { tools: {}, prompts: {} };
}

/** `record[key]` when it is the record's own (a tool named `constructor` is not Object's). */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The lock as it is on disk now (another process may have written it), else what was read before. */
function readOr(lock: LockFile, fallback: LockData): LockData {
  try {
    return lock.read();
  } catch {
    return fallback;
  }
}

/** Why a lock file cannot be written (a read-only mount, no permission), or undefined when it can. */
function probeWritable(path: string): string | undefined {
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (error) {
    return messageOf(error);
  }
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return messageOf(error);
  }
  return undefined;
}
