import type { Clock } from "../clock.ts";
import { messageOf, ProviderError, TimeoutError } from "../errors.ts";
import type { Connection, Driver } from "../providers/index.ts";
import { deadline, linkSignals } from "../scheduler/deadline.ts";
import { type ProviderCatalog, readCatalog } from "./read-catalog.ts";

/** A provider connected and listed. */
export interface OpenedConnection {
  readonly connection: Connection;
  readonly listed: ProviderCatalog;
}

/**
 * Connects to a provider (spawn, `initialize`) and reads every page of its catalog, all within
 * `startupTimeoutMs` on `clock` and until `abandon` aborts; a connection that fails to list is closed.
 */
export async function openConnection(
  driver: Driver,
  clock: Clock,
  { id, startupTimeoutMs }: { readonly id: string; readonly startupTimeoutMs: number },
  abandon: AbortSignal,
): Promise<OpenedConnection> {
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
    const connection = await driver.connect(signal.signal);
    try {
      const listed = await readCatalog(connection.client, signal.signal);
      signal.signal.throwIfAborted();
      return { connection, listed };
    } catch (error) {
      await connection.close();
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
