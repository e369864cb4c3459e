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
  if (!holds) return { key, configPath: found.path, recordFile, reader: undefined };
  // The logger is not loaded yet: a debug line in its shape, by hand.
  const debug = ["debug", "trace"].includes(logLevel(options));
  const onAnswered = (method: string) =>
    process.stderr.write(
      `${JSON.stringify({ level: 20, time: Date.now(), method, msg: "answered early, before the SDK loaded (recorded answers)" })}\n`,
    );
  const reader = new EarlyReader({ answers: record.answers, ...(debug ? { onAnswered } : {}) });
  return { key, configPath: found.path, recordFile, reader };
}
