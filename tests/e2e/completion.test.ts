// Shell completions and help: each script names every command of the command tree (so they stay in
// sync with it), bash's parses, and `--help` works for every new command.
import { describe, expect, test } from "bun:test";
import { buildProgram } from "../../src/cli/index.ts";
import { HANGAR_TOOL_NAMES } from "../../src/serve/hangar-tools.ts";
import { hangarBinary, runHangar, sandbox } from "../helpers/e2e.ts";

const COMMANDS = buildProgram(() => {}).commands.map((command) => command.name());

describe("hangar completion", () => {
  test("the command tree has the new commands", () => {
    expect(COMMANDS).toEqual(
      expect.arrayContaining(["call", "bench", "doctor", "init", "completion", "demo-provider"]),
    );
  });

  for (const shell of ["bash", "zsh", "fish"]) {
    test(`the ${shell} script mentions every command and the options of bench, doctor and init`, async () => {
      using box = sandbox();
      const run = await runHangar(["completion", shell], box.options());
      expect(run.code).toBe(0);
      expect(run.stderr).toBe("");
      for (const name of [...COMMANDS, "help"]) expect(run.stdout).toContain(name);
      for (const option of ["calls", "concurrency", "no-clients", "import", "apply", "claude-desktop", "log-level"])
        expect(run.stdout).toContain(option);
    });
  }

  test("the bash script is valid bash and completes commands and choices", async () => {
    using box = sandbox();
    const script = (await runHangar(["completion", "bash"], box.options())).stdout;
    const complete = async (line: string) => {
      const words = line.split(" ");
      const probe = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _hangar_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const proc = Bun.spawn(["bash", "-c", probe], { stdout: "pipe", stderr: "pipe" });
      const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
      expect(code).toBe(0);
      return out.trim().split("\n");
    };
    expect(await complete("hangar do")).toEqual(["doctor"]);
    expect(await complete("hangar init --client claude-")).toEqual(["claude-code", "claude-desktop"]);
    expect(await complete("hangar completion z")).toEqual(["zsh"]);
  });

  test("an unknown shell is a usage error (exit 2)", async () => {
    using box = sandbox();
    const run = await runHangar(["completion", "tcsh"], box.options());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Allowed choices are bash, zsh, fish");
  });
});

describe("--help of the new commands", () => {
  for (const [command, mentions] of [
    ["bench", ["--calls", "--rounds", "--concurrency", "--providers", "--tool", "--json"]],
    ["doctor", ["--json", "Exit codes"]],
    ["init", ["--path", "--global", "--force", "--import", "--client", "--apply", "--move"]],
    ["completion", ["bash", "zsh", "fish"]],
  ] as const) {
    test(`hangar ${command} --help`, async () => {
      using box = sandbox();
      const run = await runHangar([command, "--help"], box.options());
      expect(run.code).toBe(0);
      expect(run.stdout).toStartWith(`Usage: hangar ${command}`);
      for (const text of mentions) expect(run.stdout).toContain(text);
    });
  }

  test("issue 9 #33: hangar serve --help gives client entries with this hangar's absolute path", async () => {
    using box = sandbox();
    const run = await runHangar(["serve", "--help"], box.options());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`claude mcp add --scope user hangar -- ${hangarBinary()} serve`);
    expect(run.stdout).toContain(
      JSON.stringify({ mcpServers: { hangar: { command: hangarBinary(), args: ["serve"] } } }),
    );
    expect(run.stdout).not.toMatch(/"command": ?"hangar"|-- hangar serve/);
  });

  test("hangar serve --help names every one of Hangar's own tools", async () => {
    using box = sandbox();
    const run = await runHangar(["serve", "--help"], box.options());
    expect([...HANGAR_TOOL_NAMES].filter((name) => !run.stdout.includes(name))).toEqual([]);
  });
});
