import { readFileSync } from "node:fs";
import type { ResolvedConfig } from "../../config/index.ts";
import { messageOf, UsageError } from "../../errors.ts";
import type { GatewayDeps } from "../../gateway/index.ts";
import { ENV } from "../../knobs.ts";
import { Hangar } from "../../lib/hangar.ts";
import type { Logger } from "../../observability/log.ts";
import { createSystemSpawner } from "../../providers/index.ts";
import type { Catalog } from "../../serve/catalog.ts";
import { type CatalogCache, defaultCacheDir } from "../../serve/catalog-cache.ts";
import { AnswerRecorder } from "../../serve/early/answer-recorder.ts";
import { cachedToolsHash, type RecordedSource, toolsHash } from "../../serve/early/early-record.ts";
import type { EarlyStart } from "../../serve/early/early-start.ts";
import type { SessionSeal } from "../../serve/http/session-seal.ts";
import { loadCommandConfig } from "../command-config.ts";
import { type CommandContext, type GlobalOptions, openContext } from "../context.ts";
import { watchLifecycle } from "../lifecycle.ts";
import { type LiveReload, startLiveReload } from "../live-reload.ts";

/** Options of `hangar serve`. */
export interface ServeOptions {
  http?: boolean;
  host?: string;
  port?: string;
  token?: string;
  tokenFile?: string;
  sessionKeyFile?: string;
  drainS?: string;
  protectHealth?: boolean;
  bodyTimeout?: string;
  idleTimeout?: string;
  metricsPort?: string;
  /** Watch the config file and apply its changes live (default true; `--no-watch` sets false). */
  watch?: boolean;
  /** `--shared` / `--no-shared`; unset: the config's `shared` key decides (default false). */
  shared?: boolean;
}

/** `hangar serve`: Hangar as an MCP server over stdio (or HTTP with `--http`), until the client leaves or a signal arrives. */
export async function runServe(global: GlobalOptions, options: ServeOptions = {}, early?: EarlyStart): Promise<number> {
  if (options.http && options.metricsPort !== undefined)
    throw new UsageError("--metrics-port is for stdio; with --http, /metrics is on the HTTP port");
  if (
    !options.http &&
    (options.host ??
      options.port ??
      options.token ??
      options.tokenFile ??
      options.sessionKeyFile ??
      options.drainS ??
      options.protectHealth ??
      options.bodyTimeout ??
      options.idleTimeout) !== undefined
  ) {
    throw new UsageError(
      "--host, --port, --token, --token-file, --session-key-file, --drain-s, --protect-health, --body-timeout and --idle-timeout go with --http",
    );
  }
  // Read once: whether the config says `shared`, and (when it does not) the config this serve runs with.
  const config = options.shared === undefined ? await configIfValid(global) : undefined;
  if (options.shared ?? (!options.http && options.metricsPort === undefined && (config?.shared ?? false)))
    return (await import("./serve-shared.ts")).runSharedServe(global, options);
  // The HTTP front (hono, sessions, the REST batch) loads only with --http: a stdio start never pays for it.
  const http = options.http ? await import("../../serve/http/index.ts") : undefined;
  const token = options.http ? tokenOf(options) : undefined;
  const drainMs = options.http ? drainMsOf(options) : undefined;
  const seal = http ? sealOf(options, http) : undefined;
  let logger: Logger | undefined;
  let live: LiveReload | undefined;
  // Over HTTP, hangar is a server: it does not follow the shell that started it, and SIGHUP reloads the
  // config (the daemon convention). Over stdio it follows its client, and SIGHUP is a hang-up.
  const lifecycle = watchLifecycle(
    options.http
      ? {
          followParent: false,
          onHangup: () => {
            logger?.info("SIGHUP received; reloading the config");
            void live?.reload("SIGHUP");
          },
        }
      : {},
  );
  lifecycle.signal.addEventListener("abort", () => live?.close(), { once: true });
  /**
   * Opens the gateway and the library's Hangar over it (the API `hangar call` and an embedding agent use:
   * one path), then watches the config file and applies each valid change live (issue 17).
   */
  const open = async (deps: Pick<GatewayDeps, "bridge">, metrics = false) => {
    // A long-lived front, over stdio and over HTTP alike: its providers stay in hangar's session where
    // that matters (spawner.ts, `session`).
    const spawner = createSystemSpawner({ session: "hangar" });
    const context = await openContext(global, { ...deps, spawner }, { metrics, ...(config ? { config } : {}) });
    const hangar = Hangar.over(context.gateway, context.logger, { cache: context.cache });
    const counted = context.observability.metrics;
    live = await startLiveReload({
      gateway: context.gateway,
      logger: context.logger,
      watch: options.watch !== false,
      yamlMemoDir: defaultCacheDir(),
      ...(counted ? { onResult: (result) => counted.configReloaded(result) } : {}),
    });
    if (lifecycle.signal.aborted) live.close();
    return { ...context, hangar };
  };
  try {
    if (http) {
      await http.serveHttp({
        openHangar: async (deps) => {
          const context = await open(deps, true);
          const { hangar, observability } = context;
          logger = context.logger;
          return {
            hangar,
            logger,
            ...(observability.metrics ? { metrics: observability.metrics } : {}),
            shutdown: () => observability.shutdown(),
          };
        },
        signal: lifecycle.signal,
        forced: lifecycle.forced,
        ...(options.host === undefined ? {} : { host: options.host }),
        port: parsePort(options.port ?? "8000", "--port"),
        ...(token === undefined ? {} : { token }),
        ...(drainMs === undefined ? {} : { drainMs }),
        ...(seal === undefined ? {} : { seal }),
        ...(options.protectHealth ? { protectHealth: true } : {}),
        ...(options.bodyTimeout === undefined
          ? {}
          : { bodyTimeoutMs: parseSeconds(options.bodyTimeout, "--body-timeout") }),
        ...(options.idleTimeout === undefined ? {} : { idleTimeoutS: parseIdleTimeout(options.idleTimeout) }),
      });
      return 0;
    }
    const { serveStdio } = await import("../../serve/serve-stdio.ts");
    if (options.metricsPort !== undefined || early === undefined) {
      const metrics = options.metricsPort !== undefined;
      await serveStdio({
        openHangar: async (deps) => {
          const context = await open(deps, metrics);
          return { ...context, ...(context.observability.metrics ? { metrics: context.observability.metrics } : {}) };
        },
        signal: lifecycle.signal,
        ...(options.metricsPort === undefined ? {} : { metricsPort: parsePort(options.metricsPort, "--metrics-port") }),
      });
      return 0;
    }
    // The early reader may have answered the handshake (early/): the SDK takes over, and its answers
    // to the next such start are recorded.
    const { reader } = early;
    await serveStdio({
      openHangar: async (deps) => {
        const context = await open(deps);
        const observer = new AnswerRecorder({
          key: early.key,
          configPath: early.configPath,
          file: early.recordFile,
          sources: listedSources(context.gateway, context.hangar.catalog, context.cache),
        });
        return { ...context, observer };
      },
      signal: lifecycle.signal,
      ...(reader ? { handover: () => reader.handOver(), earlyListStale: () => early.listStale() } : {}),
    });
    return 0;
  } finally {
    live?.close();
    lifecycle.dispose();
  }
}

/**
 * The exposed providers' cache files and their tools' hashes, while the front lists exactly those tools:
 * nothing once the config was reloaded, with `pinning: block` (it may withhold), or when a provider's
 * listed tools are not its file's (a live listing not saved, a catalog cleaned of duplicates).
 */
function listedSources(
  gateway: CommandContext["gateway"],
  catalog: Catalog,
  cache: CatalogCache,
): () => RecordedSource[] | undefined {
  let reloaded = false;
  gateway.onReload(() => {
    reloaded = true;
  });
  return () => {
    if (reloaded || gateway.config.pinning === "block") return undefined;
    const sources: RecordedSource[] = [];
    for (const handle of gateway.handles.values()) {
      if (!handle.config.expose) continue;
      const tools = catalog.entry(handle.config.id).catalog?.tools;
      const file = cache.fileOf(handle.config);
      const hash = cachedToolsHash(file);
      if (tools === undefined || hash === undefined || hash !== toolsHash(tools)) return undefined;
      sources.push({ file, tools: hash });
    }
    return sources;
  };
}

/** The config, or undefined when it cannot be loaded (the serve that follows loads it again and reports why). */
async function configIfValid(global: GlobalOptions): Promise<ResolvedConfig | undefined> {
  try {
    return await loadCommandConfig(global);
  } catch {
    return undefined;
  }
}

/**
 * The bearer token from `--token` or `--token-file`, else `$HANGAR_TOKEN` or `$HANGAR_TOKEN_FILE`
 * (a flag beats the environment; two of one kind are a mistake); empty means none. A file's trailing
 * newline is not part of the token, and the file is read once, at start.
 */
function tokenOf(options: ServeOptions): string | undefined {
  const env = process.env;
  if (options.token !== undefined && options.tokenFile !== undefined)
    throw new UsageError("Give one of --token and --token-file");
  const fromFlags = options.token !== undefined || options.tokenFile !== undefined;
  const fromEnv = env[ENV.token] ?? "";
  const fileFromEnv = env[ENV.tokenFile] ?? "";
  if (!fromFlags && fromEnv !== "" && fileFromEnv !== "")
    throw new UsageError(`Set one of $${ENV.token} and $${ENV.tokenFile}, not both`);
  const token = fromFlags ? options.token : fromEnv === "" ? undefined : fromEnv;
  const file = fromFlags ? options.tokenFile : fileFromEnv === "" ? undefined : fileFromEnv;
  if (file !== undefined)
    return readToken(file, options.tokenFile === undefined ? `$${ENV.tokenFile}` : "--token-file");
  if (token === undefined || token === "") return undefined;
  return bearable(token, options.token === undefined ? `$${ENV.token}` : "--token");
}

/**
 * `token` when a client can send it: `Authorization: Bearer <token>` carries no whitespace (RFC 6750), so a
 * token holding any could never be matched, and every request would be refused without saying why.
 */
function bearable(token: string, via: string): string {
  if (/\s/.test(token))
    throw new UsageError(
      `The token (${via}) holds whitespace, which an \`Authorization: Bearer\` header cannot carry; use letters, digits and -._~+/=`,
    );
  return token;
}

function readToken(path: string, via: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read the token file ${path} (${via}): ${messageOf(error)}`);
  }
  const token = text.replace(/[\r\n]+$/, "");
  if (token.trim() === "") throw new UsageError(`The token file ${path} (${via}) is empty`);
  return bearable(token, `${via} ${path}`);
}

/**
 * The seal of 2025 session ids from `--session-key-file`, else `$HANGAR_SESSION_KEY_FILE` (empty: none):
 * the file is read once, at start; each non-empty line is a key, the first seals, all open.
 */
function sealOf(
  options: ServeOptions,
  http: Pick<typeof import("../../serve/http/index.ts"), "SessionSeal" | "sessionSecretsOf">,
): SessionSeal | undefined {
  const fromEnv = process.env[ENV.sessionKeyFile];
  const file = options.sessionKeyFile ?? (fromEnv === "" ? undefined : fromEnv);
  if (file === undefined) return undefined;
  const via = options.sessionKeyFile === undefined ? `$${ENV.sessionKeyFile}` : "--session-key-file";
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read the session key file ${file} (${via}): ${messageOf(error)}`);
  }
  try {
    return new http.SessionSeal(http.sessionSecretsOf(text, file));
  } catch (error) {
    throw new UsageError(`${messageOf(error)} (${via})`);
  }
}

/** How long running requests get to finish after SIGTERM, from `--drain-s`, else `$HANGAR_DRAIN_S`, in ms. */
function drainMsOf(options: ServeOptions): number | undefined {
  const fromEnv = process.env[ENV.drainS];
  const text = options.drainS ?? (fromEnv === "" ? undefined : fromEnv);
  if (text === undefined) return undefined;
  const via = options.drainS === undefined ? `$${ENV.drainS}` : "--drain-s";
  const seconds = Number(text);
  if (text.trim() === "" || !Number.isFinite(seconds) || seconds < 0 || seconds > 3600)
    throw new UsageError(`${via} must be a number of seconds from 0 to 3600, not "${text}"`);
  return seconds * 1000;
}

/** A positive number of seconds (at most a day), in ms. */
function parseSeconds(text: string, flag: string): number {
  const seconds = Number(text);
  if (text.trim() === "" || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400)
    throw new UsageError(`${flag} must be a number of seconds above 0 and at most 86400, not "${text}"`);
  return seconds * 1000;
}

/** Bun.serve's idle timeout is whole seconds from 1 to 255. */
function parseIdleTimeout(text: string): number {
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 255)
    throw new UsageError(`--idle-timeout must be a whole number of seconds from 1 to 255, not "${text}"`);
  return seconds;
}

function parsePort(text: string, flag: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535)
    throw new UsageError(`${flag} must be a number from 0 to 65535, not "${text}"`);
  return port;
}
