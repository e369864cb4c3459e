import type { Clock } from "../clock.ts";
import type { ResolvedProvider } from "../config/types.ts";
import { messageOf, ProviderError, TimeoutError } from "../errors.ts";
import { type Connection, type Driver, type EraMemory, noEraMemory, probeTimeoutFor } from "../providers/index.ts";
import { deadline, linkSignals } from "../scheduler/deadline.ts";
import { type ProviderCatalog, readCatalog } from "./read-catalog.ts";

/** A provider connected and listed. */
export interface OpenedConnection {
  readonly connection: Connection;
  readonly listed: ProviderCatalog;
}

/**
 * Connects to a provider (spawn, then `initialize` or `server/discover`) and reads every page of its
 * catalog, all within `startupTimeoutMs` on `clock` and until `abandon` aborts; a connection that fails to
 * list is closed. The era comes from `eras` when it remembers one (no probe), else from a probe, whose
 * verdict `eras` then keeps; a start that fails with a remembered verdict forgets it.
 */
export async function openConnection(
  driver: Driver,
  clock: Clock,
  provider: ResolvedProvider,
  abandon: AbortSignal,
  eras: EraMemory = noEraMemory,
): Promise<OpenedConnection> {
  const { id, startupTimeoutMs } = provider;
  const limit = deadline(
    clock,
    startupTimeoutMs,
    () =>
      new TimeoutError(
        `Provider "${id}" did not start within ${startupTimeoutMs / 1000} s; if it is only slow (a first \`npx\` or \`uvx\` download), raise its \`startup_timeout_s\``,
      ),
  );
  const signal = linkSignals([limit.signal, abandon]);
  try {
    const prior = eras.recall(provider);
    try {
      const connection = await driver.connect(signal.signal, {
        probeTimeoutMs: probeTimeoutFor(startupTimeoutMs),
        ...(prior ? { prior } : {}),
      });
      try {
        const listed = await readCatalog(connection.client, signal.signal);
        signal.signal.throwIfAborted();
        if (connection.era.learned) eras.remember(provider, connection.era.learned);
        return { connection, listed };
      } catch (error) {
        await connection.close();
        throw error;
      }
    } catch (error) {
      // A remembered verdict may be stale (the provider changed era): the next start probes again.
      if (prior && !signal.signal.aborted) eras.forget(provider);
      throw error;
    }
  } finally {
    limit.clear();
    signal.dispose();
  }
}

/** A failed start as a `ProviderError` whose message names the provider. */
export function startFailure(id: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const message = messageOf(error);
  return new ProviderError(id, message.includes(`"${id}"`) ? message : `Cannot start provider "${id}": ${message}`);
}
