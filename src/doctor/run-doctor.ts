/**
 * `hangar doctor` end to end: the config, then every provider (at once, each through a real start), then
 * the MCP clients on this machine. Never throws for a broken setup: every problem is a failed check.
 */
import { homedir } from "node:os";
import type { Env } from "../config/index.ts";
import { messageOf } from "../errors.ts";
import { Gateway } from "../gateway/index.ts";
import { silentLogger } from "../observability/log.ts";
import { openPins, type Pins } from "../pinning/index.ts";
import { defaultRunDir, describeReaped, hadLeftovers, RunRegistry } from "../providers/index.ts";
import { type Check, check, countChecks, type DoctorReport } from "./check.ts";
import { checkClients } from "./client-check.ts";
import { checkConfig } from "./config-check.ts";
import { checkProvider } from "./provider-check.ts";
import { stderrRecorder } from "./stderr-recorder.ts";

/** Options of `runDoctor`; every field says its default. */
export interface DoctorOptions {
  /** An explicit config path (`--config`). */
  readonly configPath?: string;
  /** How to run hangar itself, for the demo providers. */
  readonly selfCommand: readonly string[];
  /** Environment (default process.env). */
  readonly env?: Env;
  /** Working directory (default process.cwd()). */
  readonly cwd?: string;
  /** Home directory (default $HOME, then os.homedir()). */
  readonly home?: string;
  /** Skip the client checks (default false). */
  readonly skipClients?: boolean;
  /** Stops the checks early (the providers are stopped either way). */
  readonly signal?: AbortSignal;
  /** Called as each provider's checks finish, for progress on a terminal. */
  readonly onProvider?: (id: string, done: number, total: number) => void;
}

/** Runs every check and returns the report; `ok` is false when any check failed. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = options.home ?? env.HOME ?? homedir();
  const signal = options.signal ?? new AbortController().signal;
  const configured = await checkConfig({
    ...(options.configPath === undefined ? {} : { path: options.configPath }),
    env,
    cwd,
    home,
    selfCommand: options.selfCommand,
  });
  const checks: Check[] = [
    ...configured.checks,
    ...(await reapLeftovers(defaultRunDir({ HANGAR_HOME: env.HANGAR_HOME, HOME: home }))),
  ];
  if (configured.config !== undefined) {
    const stderr = stderrRecorder();
    let pins: Pins | undefined;
    try {
      pins = openPins(configured.config, { logger: silentLogger, env, record: false, reloadMs: 0 });
    } catch (error) {
      checks.push(check("config", "config", "lock", "fail", messageOf(error)));
    }
    const gateway = new Gateway(configured.config, {
      spawner: stderr.spawner,
      logger: silentLogger,
      baseEnv: env,
      ...(pins ? { pins } : {}),
    });
    try {
      const providers = configured.config.providers;
      let done = 0;
      const results = await Promise.all(
        providers.map(async (provider) => {
          const result = await checkProvider(provider, { gateway, stderr, env, signal });
          options.onProvider?.(provider.id, ++done, providers.length);
          return result;
        }),
      );
      checks.push(...results.flat());
    } finally {
      await gateway.close();
    }
  }
  if (!options.skipClients) {
    const providers = configured.config?.providers ?? [];
    const found = configured.found;
    const config = found === undefined ? undefined : { path: found.path, via: found.via };
    checks.push(...(await checkClients({ home, cwd }, env, { providers, config })));
  }
  const counts = countChecks(checks);
  return {
    ok: counts.fail === 0,
    config: {
      path: configured.found?.path,
      via: configured.found?.via,
      demo: configured.found === undefined && configured.config !== undefined,
    },
    checks,
    counts,
  };
}

/** Removes what killed hangars left (processes, containers) and reports each as a warning. */
async function reapLeftovers(runDir: string): Promise<Check[]> {
  const reaped = (await new RunRegistry(runDir).reap()).filter(hadLeftovers);
  return reaped.map((item) =>
    check("config", "config", "leftovers", "warn", `Removed what a killed hangar left: ${describeReaped(item)}`, {
      fix: "Nothing left to do. Stop hangar with SIGTERM, SIGINT or by closing its stdin: SIGKILL gives it no chance to stop its providers, and only its watchdogs (killed too here) would have",
    }),
  );
}
