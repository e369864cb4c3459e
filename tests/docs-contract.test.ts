import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { buildProgram } from "../src/cli/program.ts";
import { HANGAR_SECRETS } from "../src/config/env-inherit.ts";
import { defaultsSchema, fileSchema, providerSchema } from "../src/config/schema.ts";
import { HANGAR_TOOL_NAMES } from "../src/serve/hangar-tools.ts";

// docs/contract.md is the living contract (names, shapes, defaults, limits) and the README the user's
// reference: each command a user can run and each config key Hangar accepts must be named in both, and
// each command's options in the README, so a feature cannot land without its documentation.

const root = join(import.meta.dir, "..");
const contract = readFileSync(join(root, "docs", "contract.md"), "utf8");
const readme = readFileSync(join(root, "README.md"), "utf8");

/** The text of `doc` from the heading `title` to the next heading of the same level. */
function section(doc: string, title: string): string {
  const start = doc.indexOf(`\n${title}\n`);
  if (start < 0) throw new Error(`no section "${title}"`);
  const level = title.slice(0, title.indexOf(" ") + 1);
  const end = doc.indexOf(`\n${level}`, start + title.length + 2);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The commands `hangar --help` lists under `command` (not the hidden daemon, not `help`). */
function visible(command: Command): Command[] {
  return command
    .createHelp()
    .visibleCommands(command)
    .filter((sub) => sub.name() !== "help");
}

/** Whether `doc` names config key `key`: in code (`key`, `key: value`) or as a key of its YAML examples. */
function namesKey(doc: string, key: string): boolean {
  return new RegExp(`\`${key}[\`:]|^\\s*(- )?${key}:`, "m").test(doc);
}

/**
 * Whether `doc` names the variable `name`; an OTLP exporter's per-signal headers variable may be named as
 * a form of the general one (`OTEL_EXPORTER_OTLP_HEADERS` … its `_TRACES_` form).
 */
function namesVariable(doc: string, name: string): boolean {
  if (doc.includes(name)) return true;
  const signal = /^OTEL_EXPORTER_OTLP_([A-Z]+)_HEADERS$/.exec(name)?.[1];
  return signal !== undefined && doc.includes("OTEL_EXPORTER_OTLP_HEADERS") && doc.includes(`\`_${signal}_\``);
}

const program = buildProgram(() => {});
const configKeys = [
  ...Object.keys(fileSchema.shape),
  ...Object.keys(providerSchema.shape),
  ...Object.keys(defaultsSchema.shape),
].filter((key, i, all) => all.indexOf(key) === i);

describe.each([
  ["docs/contract.md", section(contract, "## Commands and exit codes"), section(contract, "## Configuration")],
  ["README.md", readme, readme],
])("%s", (_, commands, configuration) => {
  test("names every command and subcommand `hangar --help` lists", () => {
    const missing: string[] = [];
    for (const command of visible(program)) {
      const lines = commands.split("\n").filter((line) => line.includes(`hangar ${command.name()}`));
      if (lines.length === 0) missing.push(`hangar ${command.name()}`);
      for (const sub of visible(command))
        if (!lines.some((line) => new RegExp(`\\b${sub.name()}\\b`).test(line)))
          missing.push(`hangar ${command.name()} ${sub.name()}`);
    }
    expect(missing).toEqual([]);
  });

  test("names every config key Hangar accepts", () => {
    expect(configKeys.filter((key) => !namesKey(configuration, key))).toEqual([]);
  });

  test("names every variable of Hangar's that a provider never inherits", () => {
    expect(HANGAR_SECRETS.filter((name) => !namesVariable(configuration, name))).toEqual([]);
  });
});

test("README.md names every option of every command `hangar --help` lists", () => {
  const missing: string[] = [];
  const walk = (command: Command, path: string) => {
    for (const sub of visible(command)) {
      // Whole flags only: `--tool` is not named by `--tools`.
      for (const option of sub.createHelp().visibleOptions(sub))
        if (
          option.long !== undefined &&
          option.long !== "--help" &&
          !new RegExp(`${option.long}(?![\\w-])`).test(readme)
        )
          missing.push(`${path} ${sub.name()} ${option.long}`);
      walk(sub, `${path} ${sub.name()}`);
    }
  };
  walk(program, "hangar");
  expect(missing).toEqual([]);
});

test("every `claude mcp add` the README, docs, install.sh and help print adds hangar for every project, as `hangar init` does", () => {
  const sources = ["README.md", "install.sh", "src/cli/program.ts", "src/clients/hangar-entry.ts"];
  const lines = sources.flatMap((file) =>
    readFileSync(join(root, file), "utf8")
      .split("\n")
      .filter((line) => line.includes("claude mcp add "))
      .map((line) => `${file}: ${line.trim()}`),
  );
  expect(lines.length).toBeGreaterThan(4);
  // Without --scope user, Claude Code adds a server to the current project only.
  expect(
    lines.filter((line) => /claude mcp add (?!--scope user )/.test(line) && !line.includes("`claude mcp add`")),
  ).toEqual([]);
});

test("README.md's Troubleshooting names every one of Hangar's own tools a client may see alone", () => {
  const row = section(readme, "## Troubleshooting")
    .split("\n")
    .find((line) => line.includes("shows only"));
  expect([...HANGAR_TOOL_NAMES].filter((name) => !row?.includes(`\`${name}\``))).toEqual([]);
});
