#!/usr/bin/env bun
// `hangar demo-provider --name X` is spawned once per demo provider, so it skips loading the CLI and
// what the other commands need (~20 % faster to answer `initialize`). Everything else goes through the CLI.
export {};

const argv = process.argv.slice(2);
const demo = argv[0] === "demo-provider" && (argv.length === 1 || (argv.length === 3 && argv[1] === "--name"));
if (argv[0] === "__group-exec") {
  // A provider's first step (src/providers/group-exec.ts): its own process group, then its command.
  const { groupExec } = await import("./providers/group-exec.ts");
  groupExec(argv.slice(1));
} else if (demo) {
  const { runDemoProvider } = await import("./demo/demo-provider.ts");
  await runDemoProvider({ name: argv[2] ?? "demo" });
} else {
  const { runCli } = await import("./cli/index.ts");
  process.exitCode = await runCli(argv);
}
