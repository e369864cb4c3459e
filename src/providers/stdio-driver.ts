import type { Clock } from "../clock.ts";
import type { EnvPolicy } from "../config/index.ts";
import type { Logger } from "../observability/log.ts";
import { childEnv } from "./child-env.ts";
import type { ClientBridge } from "./client-bridge.ts";
import { closedDuringProbe, closeListeners, connectClient } from "./connect-client.ts";
import type { Connection, Driver } from "./driver.ts";
import type { EraPlan } from "./era.ts";
import { ownerToken } from "./run-registry.ts";
import type { Spawner, SpawnRequest } from "./spawner.ts";
import { stderrExcerpt } from "./stderr-excerpt.ts";
import { ProcessTransport } from "./stdio-transport.ts";

/** Dependencies of the process drivers. */
export interface ProcessDriverDeps {
  readonly spawner: Spawner;
  readonly logger: Logger;
  /** Hangar's own environment, which children inherit in part (see `childEnv`; default process.env). */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** The client in front, for providers' requests and logs (default none). */
  readonly bridge?: ClientBridge;
  /** Times a process's graces (stdout end, stdin close, SIGTERM) and log windows (default: the system clock). */
  readonly clock?: Clock;
}

/** Connects to a provider that speaks MCP on a child process's stdin/stdout. */
export class ProcessDriver implements Driver {
  constructor(
    readonly kind: "stdio" | "docker",
    private readonly providerId: string,
    /** What to run; a function is called at each start (a container needs a fresh name each time). */
    private readonly spawnRequest: SpawnRequest | (() => SpawnRequest),
    private readonly deps: ProcessDriverDeps,
  ) {}

  async connect(signal: AbortSignal, plan: EraPlan): Promise<Connection> {
    try {
      return await this.open(signal, plan);
    } catch (error) {
      // A server that exits on any request before `initialize` (the probe) is legacy: start it afresh so.
      if (signal.aborted || plan.prior !== undefined || !closedDuringProbe(error)) throw error;
      this.deps.logger.info({ provider: this.providerId }, "provider closed on server/discover; starting it as legacy");
      const connection = await this.open(signal, { ...plan, prior: { kind: "legacy" } });
      return { ...connection, era: { era: "legacy", learned: { kind: "legacy" } } };
    }
  }

  private async open(signal: AbortSignal, plan: EraPlan): Promise<Connection> {
    const request = typeof this.spawnRequest === "function" ? this.spawnRequest() : this.spawnRequest;
    const transport = new ProcessTransport({
      spawner: this.deps.spawner,
      request,
      logger: this.deps.logger,
      ...(this.deps.clock ? { clock: this.deps.clock } : {}),
    });
    const closed = closeListeners();
    const connectOptions = {
      providerId: request.providerId,
      ...(this.deps.bridge ? { bridge: this.deps.bridge } : {}),
    };
    // A start that is abandoned or times out kills its process group at once (before connectClient's close).
    const kill = () => void transport.kill();
    signal.addEventListener("abort", kill, { once: true });
    const { client, ...era } = await connectClient(transport, signal, plan, connectOptions)
      .catch((error: unknown) => {
        throw closedDuringProbe(error) ? error : withStartDetail(error, request.providerId, transport);
      })
      .finally(() => signal.removeEventListener("abort", kill));
    client.onclose = () => closed.fire();
    return {
      client,
      era,
      pid: transport.pid,
      stderrTail: () => transport.stderrTail(),
      closeReason: () => transport.exitReason,
      onClose: (listener) => closed.add(listener),
      close: async () => {
        await client.close().catch(() => {});
        await transport.close();
      },
    };
  }
}

/** Adds why the process ended (and the last meaningful lines of its stderr) to a start failure. */
function withStartDetail(error: unknown, providerId: string, transport: ProcessTransport): unknown {
  if (!(error instanceof Error) || error.name === "ProviderError") return error;
  const reason = transport.exitReason;
  if (reason === undefined) return error;
  const excerpt = stderrExcerpt(transport.stderrTail());
  const detail = excerpt.length === 0 ? "" : `; its stderr ended with: ${excerpt.join(" | ")}`;
  return new Error(`Provider "${providerId}" stopped during start-up: ${reason}${detail}`);
}

/** A stdio provider: runs `command args…` with the provider's env added to what it inherits of hangar's own. */
export function stdioDriver(
  providerId: string,
  transport: EnvPolicy & {
    command: string;
    args: readonly string[];
    env: Readonly<Record<string, string>>;
    cwd: string | undefined;
  },
  deps: ProcessDriverDeps,
): Driver {
  const env = childEnv(deps.baseEnv ?? process.env, transport);
  return new ProcessDriver(
    "stdio",
    providerId,
    { providerId, command: transport.command, args: transport.args, env, cwd: transport.cwd },
    deps,
  );
}

let containers = 0;

/** A container name no other start uses: `hangar-<provider>-<owner pid>-<owner start>-<n>`. */
function containerName(providerId: string): string {
  return `hangar-${providerId}-${ownerToken()}-${++containers}`;
}

/**
 * A docker provider: `docker run -i --rm` with env names (never values) on the command line, a unique
 * `--name` per start and labels naming the provider and the hangar that owns it, so a container whose
 * hangar was killed can be found and removed.
 */
export function dockerDriver(
  providerId: string,
  transport: EnvPolicy & {
    image: string;
    network: string | undefined;
    env: Readonly<Record<string, string>>;
    volumes: readonly string[];
    args: readonly string[];
  },
  deps: ProcessDriverDeps,
): Driver {
  const env = childEnv(deps.baseEnv ?? process.env, transport);
  return new ProcessDriver(
    "docker",
    providerId,
    () => {
      const container = containerName(providerId);
      const labels = ["--label", `dev.hangar.provider=${providerId}`, "--label", `dev.hangar.owner=${ownerToken()}`];
      const args = ["run", "-i", "--rm", "--init", "--name", container, ...labels];
      if (transport.network !== undefined) args.push("--network", transport.network);
      for (const name of Object.keys(transport.env)) args.push("-e", name);
      for (const volume of transport.volumes) args.push("-v", volume);
      args.push(transport.image, ...transport.args);
      return { providerId, command: "docker", args, env, cwd: undefined, container };
    },
    deps,
  );
}
