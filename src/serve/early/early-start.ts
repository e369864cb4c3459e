import { type GlobalOptions, logLevel } from "../../cli/global-options.ts";
import { findConfigFile } from "../../config/find.ts";
import { defaultCacheDir } from "../catalog-cache.ts";
import { EarlyReader } from "./early-reader.ts";
import { readRecord, recordFileOf, sourcesHold } from "./early-record.ts";
import { startKeyOf } from "./start-key.ts";

/** A `hangar serve` over stdio as it starts: its key, where its answers are recorded, and the early reader if one runs. */
export interface EarlyStart {
  readonly key: string;
  readonly configPath: string;
  readonly recordFile: string;
  /** Answering the client's handshake already; undefined when the record does not hold for this start. */
  readonly reader: EarlyReader | undefined;
  /**
   * Whether the `tools/list` the early reader answered may not be what the gateway lists: the config,
   * the lock or a cached catalog changed between the start and now (told to the client as list_changed).
   */
  listStale(): boolean;
}

/**
 * Starts `hangar serve` (stdio, a config file) the quick way when it can: when the answers recorded by
 * an earlier start with the same key still hold for the providers' cached tools, an early reader answers
 * the client's `initialize` and `tools/list` while the gateway loads. Loads no SDK, zod or YAML.
 * Undefined without a config file (the demo config) or when it cannot be read.
 */
export async function startEarly(options: GlobalOptions): Promise<EarlyStart | undefined> {
  let found: Awaited<ReturnType<typeof findConfigFile>>;
  try {
    found = await findConfigFile(options.config ? { path: options.config } : {});
  } catch {
    return undefined;
  }
  if (found === undefined) return undefined;
  const key = startKeyOf({ configPath: found.path });
  if (key === undefined) return undefined;
  const recordFile = recordFileOf(defaultCacheDir(), found.path);
  const record = readRecord(recordFile);
  const holds = record !== undefined && record.key === key && sourcesHold(record.sources);
  const configPath = found.path;
  if (!holds) return { key, configPath, recordFile, reader: undefined, listStale: () => false };
  // The logger is not loaded yet: debug lines in its shape, by hand.
  const debug = ["debug", "trace"].includes(logLevel(options));
  const log = (msg: string, fields: object = {}) =>
    process.stderr.write(`${JSON.stringify({ level: 20, time: Date.now(), ...fields, msg })}\n`);
  const onAnswered = (method: string) => log("answered early, before the SDK loaded (recorded answers)", { method });
  const reader = new EarlyReader({ answers: record.answers, ...(debug ? { onAnswered } : {}) });
  if (debug) log("early reader ready");
  const listStale = () =>
    reader.answeredToolsList && (startKeyOf({ configPath }) !== key || !sourcesHold(record.sources));
  return { key, configPath, recordFile, reader, listStale };
}
