/**
 * Which config texts Bun's native YAML parser reads exactly as the yaml library does, remembered between
 * runs so that a start with an unchanged config skips the library (issue 11: its cold parse of 50
 * providers took ~25 ms of `hangar serve`'s start; the native parser takes ~0.2 ms).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bun, nativeYaml, sha256Hex } from "../runtime/index.ts";
import { VERSION } from "../version.ts";

/** Remembers the texts both parsers read the same. */
export interface YamlMemo {
  /** Whether `text` was seen to parse the same both ways, by this runtime and this hangar. */
  agrees(text: string): boolean;
  /** Records that it did; never throws (a memo that cannot be written costs the next start the library's parse). */
  recordAgreement(text: string): void;
}

/** Bump when the file's shape changes, so old files are ignored rather than misread. */
const FORMAT = 1;

/**
 * A memo in one small file per config file, in `dir` (the catalog cache's folder): it holds a hash of
 * the last text of that config both parsers agreed on (with the runtime's and hangar's versions), never
 * the text, which may hold secrets.
 */
export function fileYamlMemo(dir: string, configPath: string): YamlMemo {
  const file = join(dir, `config-yaml-${sha256Hex(configPath).slice(0, 16)}.json`);
  const runtime = nativeYaml ? `bun ${bun?.version}` : "none";
  const key = (text: string) => sha256Hex(`${FORMAT}\0${runtime}\0${VERSION}\0${text}`);
  return {
    agrees(text) {
      try {
        const stored = JSON.parse(readFileSync(file, "utf8")) as { format?: number; text?: string };
        return stored.format === FORMAT && stored.text === key(text);
      } catch {
        return false;
      }
    },
    recordAgreement(text) {
      const temp = `${file}.${process.pid}.tmp`;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(temp, JSON.stringify({ format: FORMAT, text: key(text) }));
        renameSync(temp, file);
      } catch {
        try {
          rmSync(temp, { force: true });
        } catch {
          // Nothing was written.
        }
      }
    },
  };
}
