/**
 * `hangar call`'s head start (issue 11): the processes of the stdio providers a batch names are started
 * as soon as the config is read, before Hangar loads its gateway and the MCP SDK, so that a provider's
 * own start (its runtime, its SDK) runs while Hangar loads its own. The gateway receives them through
 * its Spawner seam: a spawn request equal to one made early gets that process, once; any other request
 * spawns as usual. Whatever no start claimed is killed by `close`.
 */
import type { ResolvedConfig } from "../config/index.ts";
import { childEnv } from "../providers/child-env.ts";
import { type ChildProcessHandle, type Spawner, type SpawnRequest, systemSpawner } from "../providers/spawner.ts";

/** Processes started ahead of the gateway, waiting to be claimed by its first start of each provider. */
export class EarlySpawns {
  private readonly waiting = new Map<string, ChildProcessHandle>();

  /** `inner` starts the processes, early or not (default: real processes). */
  constructor(private readonly inner: Spawner = systemSpawner) {}

  /**
   * Starts the stdio providers of `config` among `ids`, each once, as its driver would (the same command,
   * arguments, environment and folder). One that cannot be started now is left to the gateway's own
   * start, which reports why.
   */
  start(config: ResolvedConfig, ids: Iterable<string>): void {
    for (const id of new Set(ids)) {
      const provider = config.providers.find((candidate) => candidate.id === id);
      if (provider?.transport.kind !== "stdio") continue;
      const { command, args, cwd } = provider.transport;
      const request: SpawnRequest = {
        providerId: id,
        command,
        args,
        env: childEnv(process.env, provider.transport),
        cwd,
      };
      try {
        this.waiting.set(keyOf(request), this.inner(request));
      } catch {
        // Not found on PATH, not runnable: the gateway's start fails the same way and says so.
      }
    }
  }

  /** The gateway's spawner: an early process for a request equal to its own, else a new one. */
  readonly spawner: Spawner = (request) => {
    const key = keyOf(request);
    const early = this.waiting.get(key);
    if (early === undefined) return this.inner(request);
    this.waiting.delete(key);
    return early;
  };

  /** Kills the early processes no start claimed and waits until they (and their groups) are gone. */
  async close(): Promise<void> {
    const unclaimed = [...this.waiting.values()];
    this.waiting.clear();
    for (const child of unclaimed) child.killGroup("SIGKILL");
    await Promise.all(unclaimed.map((child) => child.exited));
  }
}

/** What makes two spawn requests the same start. */
function keyOf(request: SpawnRequest): string {
  const { providerId, command, args, env, cwd, container } = request;
  return JSON.stringify([providerId, command, args, env, cwd ?? null, container ?? null]);
}
