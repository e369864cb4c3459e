/**
 * The command tree: every command's arguments, options and help, and nothing else. A command's work is
 * imported when it runs, so `hangar --version`, `--help` and a mistyped option load only commander and
 * these lines, not the gateway, the SDK or the HTTP server (issue 11: start in milliseconds).
 */
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { CLIENTS } from "../clients/client-files.ts";
import { claudeMcpAddLine, hangarEntry } from "../clients/hangar-entry.ts";
import { LOG_LEVELS } from "../observability/log-levels.ts";
import { selfCommand } from "../self-command.ts";
import { VERSION } from "../version.ts";
import type { AuthLoginOptions } from "./commands/auth.ts";
import type { BenchCommandOptions } from "./commands/bench.ts";
import type { CallOptions } from "./commands/call.ts";
import type { DoctorCommandOptions } from "./commands/doctor.ts";
import type { InitOptions } from "./commands/init.ts";
import type { PinOptions } from "./commands/pin.ts";
import type { ServeOptions } from "./commands/serve.ts";
import { completionScript, SHELLS, type Shell } from "./completion/index.ts";
import type { GlobalOptions } from "./context.ts";
import { writeOut } from "./write-out.ts";

/** Receives a command's work; the CLI runs it after parsing and takes its exit code. */
type Run = (work: () => Promise<number>) => void;

/** Builds the command tree; `run` receives each command's work. */
export function buildProgram(run: Run): Command {
  const program = new Command("hangar")
    .description("Call tools on many MCP servers in parallel, in one call, while Hangar runs the servers for you")
    .version(VERSION, "-V, --version", "print the version")
    .option(
      "-c, --config <path>",
      "config file (default: $HANGAR_CONFIG, ./hangar.yaml, ~/.hangar/config.yaml; none: demo providers)",
    )
    .option("-v, --verbose", "log more, to stderr")
    .addOption(new Option("--log-level <level>", "log level (default warn; $HANGAR_LOG_LEVEL)").choices(LOG_LEVELS))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerServe(program, run);
  registerCall(program, run);
  registerDemoProvider(program, run);
  registerBench(program, run);
  registerDoctor(program, run);
  registerInit(program, run);
  registerPin(program, run);
  registerAuth(program, run);
  registerDaemons(program, run);
  registerCompletion(program, run);
  program.addHelpText("after", "\nRun `hangar help <command>` for a command's options. Docs: README.md and docs/.");
  return program;
}

const globals = (command: Command) => command.optsWithGlobals<GlobalOptions>();

/** Registers `hangar bench` on the program. */
function registerBench(program: Command, run: Run): void {
  program
    .command("bench")
    .description("Measure the providers: sequential vs parallel, added latency, cold start, concurrent clients")
    .option("--providers <ids>", "only these providers, comma-separated (default: all)", list)
    .option("--tool <name>", "call this tool (`tool` or `provider/tool`; repeatable), even one that may write", list)
    .option("--args <json>", "arguments for the --tool tools (default: from each tool's schema)")
    .option("--calls <n>", "calls per batch", wholeNumber(1), 20)
    .option("--rounds <n>", "rounds of each scenario", wholeNumber(1), 3)
    .option("--concurrency <n>", "concurrent callers (cold start, concurrent clients)", wholeNumber(1), 10)
    .option("--json", "print the report as JSON")
    .option(
      "--headline",
      "only the three headline scenarios (15 tools over 2 providers, 50 requests, cold start + batch)",
    )
    .addHelpText(
      "after",
      `
Without --tool, bench calls one tool per provider that is annotated read-only (readOnlyHint), whose
arguments its schema gives (default, examples, enum) and whose one trial call succeeds; it never calls a
tool that may write unless you name it. On the built-in demo providers (no config) it calls
sleep {"ms":50}, and echo for the overhead. When calls fail it shows the first failure and no speedup.

Scenarios: fan-out (the batch one call after another, then in parallel), overhead (a direct MCP client
vs the same call through hangar), cold start (concurrent callers to a stopped provider: it must start
once), concurrent clients. Progress goes to stderr on a terminal. Exit 1 when a call failed.`,
    )
    .action((options: BenchCommandOptions, command: Command) =>
      run(async () => (await import("./commands/bench.ts")).runBenchCommand(options, globals(command))),
    );
}

/** Registers `hangar call` on the program. */
function registerCall(program: Command, run: Run): void {
  program
    .command("call")
    .argument("<file>", "a JSON batch file (the hangar_call input), or - to read it from stdin")
    .description("Run a batch of tool calls in parallel, without a server")
    .option("--json", "print the whole batch result as JSON when it is done")
    .option("--ndjson", "print one JSON line per call as each one finishes")
    .addHelpText(
      "after",
      `
The batch is {"calls": [{"provider", "tool", "arguments"?, "id"?, "timeout_s"?, "select"?,
"max_result_bytes"?}], "max_concurrency"?, "timeout_s"?, "fail_fast"?, "max_result_bytes"?}, or just
the list of calls.
  "select": ["/items/0/name"]   JSON Pointers: the call's result is only those parts ("selected")
  "max_result_bytes": N         cut a call's result (the batch's: all results together) to N bytes of
                                JSON; 0 = no limit, the default
  {"$hangar.ref": "<id>#/ptr"}  anywhere in arguments: that value of the result of the call with this
                                id; the call waits for it, and fails (dependency_failed) if it failed

Exit codes: 0 every call succeeded, 1 a call failed, 2 usage or config error.

Example:
  echo '[{"provider":"demo","tool":"sleep","arguments":{"ms":200}},
         {"provider":"demo2","tool":"echo","arguments":{"message":"hi"}}]' | hangar call -`,
    )
    .action((file: string, options: CallOptions, command: Command) =>
      run(async () => (await import("./commands/call.ts")).runCall(file, options, globals(command))),
    );
}

/** Registers `hangar doctor` on the program. */
function registerDoctor(program: Command, run: Run): void {
  program
    .command("doctor")
    .description("Check the config, start each provider, and say how to fix what fails")
    .option("--json", "print the report as JSON")
    .option("--no-clients", "skip the Claude Code / Claude Desktop / Cursor config checks")
    .addHelpText(
      "after",
      `
Checks: where the config was found and that it parses (each problem with file:line:col), risky values;
for each provider its command on PATH / docker and its image / the URL's host, a real start
(initialize, tools/list) and a ping, with its stderr when it fails; the MCP client configs on this
machine and whether one starts hangar. Secrets (env, headers) are never printed.

Exit codes: 0 no check failed (warnings allowed), 1 a check failed — a broken config included, 2 the
command line itself is wrong.`,
    )
    .action((options: DoctorCommandOptions, command: Command) =>
      run(async () => (await import("./commands/doctor.ts")).runDoctorCommand(options, globals(command))),
    );
}

/** Registers `hangar pin` on the program. */
function registerPin(program: Command, run: Run): void {
  program
    .command("pin")
    .argument(
      "[targets...]",
      "approve these: `provider/tool` (or `provider/prompt`), or `provider` for all of its changes",
    )
    .description("Show how providers' tool definitions differ from the lock file (hangar.lock), and approve them")
    .option("--all", "approve every change found")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
Hangar pins each tool's (and prompt's) definition — name, title, description, input and output schema,
annotations — in a lock file: hangar.lock beside the config file ($HANGAR_LOCK to put it elsewhere).
A provider's first listing is trusted and recorded. Later, a changed or new definition is served with
\`pinning: warn\` (the default; logged once and shown in hangar_status and hangar doctor) and withheld
with \`pinning: block\` (left out of tools/list, calls refused with "denied") until approved here.

pin starts every provider, prints each change as a diff of the pinned definition (-) and the listed one
(+), and with --all or names approves them: the lock file is rewritten, and a running hangar serves the
approved definitions within a second. Where the lock file cannot be written (a read-only mount), run
hangar pin where it is writable (the checkout it comes from) and ship the file.

Exit codes: 0 nothing waits for approval, 1 a change still does, 2 usage or config error (a lock file
that cannot be written included).

Examples:
  hangar pin                      # show the changes
  hangar pin github/create_issue  # approve one tool
  hangar pin --all                # approve every change`,
    )
    .action((targets: string[], options: PinOptions, command: Command) =>
      run(async () => (await import("./commands/pin.ts")).runPin(targets, options, globals(command))),
    );
}

/** Registers `hangar auth login|status|logout` on the program. */
function registerAuth(program: Command, run: Run): void {
  const auth = program
    .command("auth")
    .description("Sign in to remote (`url:`) providers with OAuth, show the sign-ins, sign out")
    .addHelpText(
      "after",
      `
Remote MCP servers that use OAuth 2.1 (the MCP authorization spec) need a sign-in: give the provider
\`auth: oauth\` in the config (a provider without it that answers 401 is told to sign in as well), then
run \`hangar auth login <provider>\` once. Hangar opens the authorization server's page in your browser
(authorization code with PKCE, redirect to http://127.0.0.1:<port>/callback), stores the tokens and
refreshes them before they expire and once when the server answers 401. A refresh the server refuses
makes the provider's calls fail with provider_unavailable, saying to run \`hangar auth login\` again.

Tokens are stored per authorization server and resource, one JSON file each with mode 0600, in
$HANGAR_TOKENS_DIR (default $HANGAR_HOME/tokens, ~/.hangar/tokens); every *.json file there is read, so
the folder can be a mounted Kubernetes Secret. Tokens are never printed or logged.

Examples:
  hangar auth login linear              # sign in in the browser
  hangar auth login linear --no-browser # print the URL only; open it in a browser on this machine
  hangar auth status                    # who is signed in, until when
  hangar auth logout linear             # revoke and forget one sign-in (no name: every one)`,
    );
  auth
    .command("login")
    .argument("<provider>", "the `url:` provider to sign in to")
    .description("Sign in to a remote provider in the browser (OAuth 2.1, PKCE) and store its tokens")
    .option("--no-browser", "only print the authorization URL; do not open a browser")
    .option(
      "--client-metadata-url <url>",
      "the HTTPS URL where Hangar's OAuth Client ID Metadata Document is served, used where the authorization server accepts one (default $HANGAR_OAUTH_CLIENT_METADATA_URL; none: dynamic client registration)",
    )
    .option(
      "--client-id <id>",
      "a client registered with the authorization server beforehand, for servers without dynamic registration (its secret, if any, from $HANGAR_OAUTH_CLIENT_SECRET)",
    )
    .option("--timeout-s <seconds>", "how long to wait for the browser to come back", wholeNumber(1), 300)
    .action((provider: string, options: AuthLoginOptions, command: Command) =>
      run(async () => (await import("./commands/auth.ts")).runAuthLogin(provider, options, globals(command))),
    );
  auth
    .command("client-metadata")
    .argument("<url>", "the https:// URL the document will be served at (it is its own client_id)")
    .description("Print Hangar's OAuth Client ID Metadata Document, to host at <url> for login --client-metadata-url")
    .addHelpText(
      "after",
      `
Authorization servers that accept Client ID Metadata Documents fetch the client's metadata from the
HTTPS URL that is its client_id, instead of having each client register. Hangar runs on your machine,
where no authorization server can reach it, so host this JSON yourself (any static HTTPS site), then
sign in with \`hangar auth login <provider> --client-metadata-url <url>\` (or set
$HANGAR_OAUTH_CLIENT_METADATA_URL). Servers that do not accept them get a dynamic registration instead.`,
    )
    .action((url: string) => run(async () => (await import("./commands/auth.ts")).runAuthClientMetadata(url)));
  auth
    .command("status")
    .description("Show each remote provider's sign-in: issuer, resource, expiry (never the tokens)")
    .option("--json", "print the status as JSON")
    .action((options: { json?: boolean }, command: Command) =>
      run(async () => (await import("./commands/auth.ts")).runAuthStatus(options, globals(command))),
    );
  auth
    .command("logout")
    .argument("[provider]", "the provider to sign out of (default: every stored sign-in)")
    .description("Revoke a sign-in at its authorization server (where it allows) and delete the stored tokens")
    .action((provider: string | undefined, _options: unknown, command: Command) =>
      run(async () => (await import("./commands/auth.ts")).runAuthLogout(provider, globals(command))),
    );
}

/** Registers `hangar init` on the program. */
function registerInit(program: Command, run: Run): void {
  program
    .command("init")
    .description("Write a starter config (or import a client's mcpServers) and show or apply the client entry")
    .option("--path <file>", "where to write the config (default ./hangar.yaml)")
    .option("--global", "write ~/.hangar/config.yaml, which hangar finds from any directory")
    .option("--force", "replace an existing config file")
    .option("--import <file>", "take the mcpServers of a Claude Desktop, Claude Code or Cursor config as providers")
    .addOption(new Option("--client <client>", "the client whose entry to show or --apply").choices(CLIENTS))
    .option("--apply", "write the hangar entry into the --client's config (after a backup, PATH.bak-<timestamp>)")
    .option(
      "--move",
      "with --import: remove the imported servers from that file and add the hangar entry there (after a backup)",
    )
    .addHelpText(
      "after",
      `
Examples:
  hangar init                                   # ./hangar.yaml, then print the client entry
  hangar init --global --import ~/.config/Claude/claude_desktop_config.json
  hangar init --global --client claude-desktop --apply
  hangar init --global --import ~/.cursor/mcp.json --move   # Cursor then runs them through hangar only

The entry is {"mcpServers":{"hangar":{"command":"<this hangar>","args":["serve"]}}}, with
--config <file> added when the config is not ~/.hangar/config.yaml. An existing config is never
replaced without --force; an existing client config is backed up before --apply changes it.`,
    )
    .action((options: InitOptions, command: Command) =>
      run(async () => (await import("./commands/init.ts")).runInit(options, globals(command))),
    );
}

/** Registers `hangar serve` on the program. */
function registerServe(program: Command, run: Run): void {
  const entry = hangarEntry(selfCommand());
  program
    .command("serve")
    .description(
      "Serve Hangar as an MCP server over stdio (for Claude Code, Claude Desktop, any MCP client), or over HTTP",
    )
    .option("--http", "serve Streamable HTTP on /mcp, plus /v1/call, /healthz, /readyz and /metrics, instead of stdio")
    .option("--host <address>", "address to bind with --http (default 127.0.0.1; anything else needs a token)")
    .option("--port <port>", "port to listen on with --http; 0 picks a free one (default 8000)")
    .addOption(new Option("--token <token>", "bearer token clients must send with --http (default $HANGAR_TOKEN)"))
    .option(
      "--token-file <file>",
      "read the bearer token from this file, e.g. a mounted Secret (default $HANGAR_TOKEN_FILE)",
    )
    .option(
      "--session-key-file <file>",
      "with --http: seal 2025 session ids with the key in this file, shared by every replica, so any replica serves any session (default $HANGAR_SESSION_KEY_FILE)",
    )
    .option(
      "--drain-s <seconds>",
      "with --http: on SIGTERM, /readyz turns 503 and running requests get this long to finish; a second signal cancels them (default 5; $HANGAR_DRAIN_S)",
    )
    .option("--protect-health", "also require the token on /healthz, /readyz and /metrics")
    .option(
      "--body-timeout <seconds>",
      "with --http: how long a request body may take to arrive; slower is a 408 (default 30)",
    )
    .option(
      "--idle-timeout <seconds>",
      "with --http: close a keep-alive connection quiet this long, 1-255 (default 10; running requests are exempt)",
    )
    .option(
      "--metrics-port <port>",
      "over stdio: also serve /metrics, /healthz and /readyz on this 127.0.0.1 port (0 picks one)",
    )
    .option("--no-watch", "do not apply changes of the config file live (with --http, SIGHUP still reloads it)")
    .option("--shared", "bridge to this user's shared Hangar daemon for this config (default: the config's `shared`)")
    .option("--no-shared", "run this client's own Hangar and providers even when the config says `shared: true`")
    .addHelpText(
      "after",
      `
Tools: hangar_call (a batch of calls in parallel), hangar_tools (search providers' tools),
hangar_status (providers' health), hangar_result (the whole result of a call hangar_call cut or
selected), and every exposed provider tool as <provider>__<tool>.
Prompts and resources of exposed providers are served too. Logs go to stderr; stdout is JSON-RPC only.
Catalogs are cached in $HANGAR_CACHE_DIR (default $HANGAR_HOME/cache, ~/.hangar/cache), so tools/list answers at once.
Hangar writes only below $HANGAR_HOME (default ~/.hangar): cache/ and run/.

Claude Code:     ${claudeMcpAddLine(entry)}
Claude Desktop:  ${JSON.stringify({ mcpServers: { hangar: entry } })}
                 (the absolute path of this hangar: clients do not read your shell's PATH;
                 \`hangar init\` prints the entry with your config and can --apply it)
Shared:          hangar serve --shared   every client of this config shares one daemon and one
                 instance of each provider (\`hangar status\`, \`hangar stop\`; README "Many clients, one Hangar")
Over HTTP:       hangar serve --http --port 8000   then   claude mcp add --scope user --transport http hangar http://127.0.0.1:8000/mcp
REST batch:      curl -s localhost:8000/v1/call -H 'content-type: application/json' -d @batch.json`,
    )
    .action((options: ServeOptions, command: Command) =>
      run(async () =>
        // --shared loads only the bridge (not the front), so the client's first answer comes in milliseconds.
        options.shared
          ? (await import("./commands/serve-shared.ts")).runSharedServe(globals(command), options)
          : runServe(globals(command), options),
      ),
    );
}

/**
 * `hangar serve` without `--shared`. Over stdio, an early reader may answer the client's `initialize` and
 * `tools/list` from the answers recorded by an earlier start (serve/early/) before the gateway and the
 * SDK load: they load once it has answered (or left a line to them), and take the connection over.
 */
async function runServe(global: GlobalOptions, options: ServeOptions): Promise<number> {
  const stdio = !options.http && options.shared === undefined && options.metricsPort === undefined;
  const early = stdio ? await (await import("../serve/early/early-start.ts")).startEarly(global) : undefined;
  if (early?.reader) await early.reader.loadNow;
  return (await import("./commands/serve.ts")).runServe(global, options, early);
}

/** Registers `hangar status` and `hangar stop` (the shared daemons), and the internal `hangar daemon`. */
function registerDaemons(program: Command, run: Run): void {
  program
    .command("status")
    .description("List this user's shared Hangar daemons (hangar serve --shared): their clients and providers")
    .option("--json", "print them as JSON")
    .action((options: { json?: boolean }) =>
      run(async () => (await import("./commands/daemons.ts")).runStatus(options)),
    );
  program
    .command("stop")
    .description("Stop this user's shared Hangar daemons: running calls are cancelled, providers stopped")
    .addHelpText(
      "after",
      "\nAttached clients stay connected: their next request starts a new daemon (with the config as it is now).",
    )
    .action(() => run(async () => (await import("./commands/daemons.ts")).runStop()));
  program
    .command("daemon", { hidden: true })
    .description("The shared daemon (started by hangar serve --shared; not for direct use)")
    .requiredOption("--key <key>", "the daemon key the client computed")
    .action((options: { key: string }, command: Command) =>
      run(async () => (await import("./commands/daemon.ts")).runDaemonCommand(globals(command), options)),
    );
}

/** Registers `hangar completion bash|zsh|fish`, which prints a completion script for that shell. */
function registerCompletion(program: Command, run: Run): void {
  program
    .command("completion")
    .addArgument(new Argument("<shell>", "the shell to write the script for").choices(SHELLS))
    .description("Print a shell completion script (bash, zsh or fish)")
    .addHelpText(
      "after",
      `
Load it in the current shell, or install it for good:
  bash:  source <(hangar completion bash)    or  hangar completion bash > ~/.local/share/bash-completion/completions/hangar
  zsh:   source <(hangar completion zsh)     or  hangar completion zsh > "\${fpath[1]}/_hangar"
  fish:  hangar completion fish | source     or  hangar completion fish > ~/.config/fish/completions/hangar.fish`,
    )
    .action((shell: Shell) =>
      run(async () => {
        await writeOut(completionScript(program, shell));
        return 0;
      }),
    );
}

/** Registers `hangar demo-provider`, the built-in demo MCP server over stdio. */
function registerDemoProvider(program: Command, run: Run): void {
  program
    .command("demo-provider")
    .description("Run the built-in demo MCP server over stdio (tools: sleep, echo, add, fail, info)")
    .option("--name <name>", "the name it reports", "demo")
    .action((options: { name: string }) =>
      run(async () => {
        const { runDemoProvider } = await import("../demo/demo-provider.ts");
        await runDemoProvider({ name: options.name });
        return await new Promise<number>(() => {}); // Serves until stdin closes; runDemoProvider exits.
      }),
    );
}

/** A whole number from `min` up, for commander. */
function wholeNumber(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return n;
  };
}

/** A repeatable, comma-separated list option, for commander. */
const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
];
