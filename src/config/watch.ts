/**
 * Watching the config file for a live reload. The folder is watched, not the file: editors save by
 * writing a new file and renaming it over the old one, and Kubernetes updates a mounted ConfigMap by
 * swapping its `..data` symlink atomically; either way the file's inode changes and a watch on the
 * file itself would go deaf. Events only say "look again": whoever is told reads the file and compares
 * its content with what is applied.
 */
import { type FSWatcher, realpathSync, watch } from "node:fs";
import * as nodePath from "node:path";
import type { Clock } from "../clock.ts";

/** Options of `watchConfigFile`; every field says its default. */
export interface WatchConfigOptions {
  /** The config file (absolute; it may be a symlink, e.g. a ConfigMap key). */
  readonly path: string;
  /** Times the debounce (the gateway's clock). */
  readonly clock: Clock;
  /** Quiet time after the last event of a burst before `onChange`, in ms (default 200). */
  readonly debounceMs?: number;
  /** The longest a steady stream of events may hold `onChange` back, in ms (default 2000). */
  readonly maxWaitMs?: number;
  /** Called once per burst of events that may have changed the file. */
  onChange(): void;
  /** Told when a folder cannot be watched (default: nothing); the others are still watched. */
  readonly onError?: (error: unknown, dir: string) => void;
}

/** A running watch; `close` stops it (and any pending `onChange`). */
export interface ConfigWatch {
  close(): void;
}

/**
 * Watches the folder of `path`, and that of the file it resolves to when it is a symlink into another
 * folder, for events about the file, its target, or a `..`-named entry (a ConfigMap's `..data` and its
 * timestamped folders). Bursts are debounced on the clock. The folders are looked up again after each
 * burst, so a symlink that now points elsewhere is followed.
 */
export function watchConfigFile(options: WatchConfigOptions): ConfigWatch {
  const debounceMs = options.debounceMs ?? 200;
  const maxWaitMs = options.maxWaitMs ?? 2000;
  const { clock } = options;
  const watchers = new Map<string, FSWatcher>();
  let names = new Set<string>();
  let timer: unknown;
  let firstAt: number | undefined;
  let closed = false;

  const fire = () => {
    timer = undefined;
    firstAt = undefined;
    if (closed) return;
    refresh();
    options.onChange();
  };
  const event = (name: string | Buffer | null) => {
    const file = name === null ? undefined : String(name);
    if (closed || (file !== undefined && !names.has(file) && !file.startsWith(".."))) return;
    const now = clock.now();
    firstAt ??= now;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = clock.setTimeout(fire, Math.max(0, Math.min(debounceMs, firstAt + maxWaitMs - now)));
  };
  const refresh = () => {
    const targets = new Set([options.path, resolved(options.path)]);
    names = new Set([...targets].map((target) => nodePath.basename(target)));
    const dirs = new Set([...targets].map((target) => nodePath.dirname(target)));
    for (const [dir, watcher] of watchers) {
      if (dirs.has(dir)) continue;
      watcher.close();
      watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_, name) => event(name));
        watcher.on("error", (error) => {
          watcher.close();
          if (watchers.get(dir) === watcher) watchers.delete(dir);
          options.onError?.(error, dir);
        });
        watchers.set(dir, watcher);
      } catch (error) {
        options.onError?.(error, dir);
      }
    }
  };
  refresh();
  return {
    close() {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** The file `path` finally points to (itself when it is no symlink or cannot be resolved now). */
function resolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
