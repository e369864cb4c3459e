import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../../runtime/sha256.ts";

/** Bump when the record's shape changes, so an old file is ignored rather than misread. */
const FORMAT = 1;
/** The catalog cache file's format the record was checked against (catalog-cache.ts `FORMAT`). */
export const CATALOG_FORMAT = 2;

/** One exposed provider's cache file, and the hash of the tools it held when the answers were recorded. */
export interface RecordedSource {
  readonly file: string;
  readonly tools: string;
}

/** What the SDK path answered a 2025 client that asked for one protocol version. */
export interface RecordedAnswers {
  readonly initialize: unknown;
  readonly tools: unknown;
}

/**
 * The answers `hangar serve`'s SDK path gave to a stdio client's first `initialize` and `tools/list`,
 * for one start key (start-key.ts) and the exposed providers' cached tools: what the early reader
 * (early-reader.ts) answers the next start with, before the SDK is loaded, while both still hold.
 */
export interface EarlyRecord {
  readonly format: number;
  readonly key: string;
  readonly sources: readonly RecordedSource[];
  /** By the protocol version the client asked for. */
  readonly answers: Readonly<Record<string, RecordedAnswers>>;
}

/** The record file of a config: one per config path (a switch between projects keeps both). */
export function recordFileOf(cacheDir: string, configPath: string): string {
  return join(cacheDir, `early-answers-${sha256Hex(configPath).slice(0, 16)}.json`);
}

/** The record in `file`, or undefined when there is none or it is not of this format. */
export function readRecord(file: string): EarlyRecord | undefined {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as EarlyRecord;
    return data.format === FORMAT && typeof data.answers === "object" && Array.isArray(data.sources) ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a record whole (a temp file, then renamed); never throws (a record not written costs one slow start). */
export function writeRecord(file: string, record: Omit<EarlyRecord, "format">): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(temp, JSON.stringify({ format: FORMAT, ...record }));
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true });
  }
}

/** The hash of a cache file's tools, as the record keeps it; undefined when the catalog cache would not read it. */
export function cachedToolsHash(file: string): string | undefined {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as { format?: number; catalog?: { tools?: unknown } };
    const tools = data.format === CATALOG_FORMAT ? data.catalog?.tools : undefined;
    return Array.isArray(tools) ? toolsHash(tools) : undefined;
  } catch {
    return undefined;
  }
}

/** The hash of a list of tools as JSON. */
export function toolsHash(tools: readonly unknown[]): string {
  return sha256Hex(JSON.stringify(tools));
}

/** Whether every recorded source's cache file still holds the tools it held. */
export function sourcesHold(sources: readonly RecordedSource[]): boolean {
  return sources.every((source) => cachedToolsHash(source.file) === source.tools);
}
