import type { ResolvedProvider } from "../config/types.ts";
import type { Logger } from "../observability/log.ts";
import type { ClientBridge } from "./client-bridge.ts";
import type { Driver } from "./driver.ts";
import { HttpDriver } from "./http-driver.ts";
import type { Spawner } from "./spawner.ts";
import { dockerDriver, stdioDriver } from "./stdio-driver.ts";

export { childEnv } from "./child-env.ts";
export { type ClientBridge, noBridge } from "./client-bridge.ts";
export { NO_SDK_TIMEOUT } from "./connect-client.ts";
export type { Connection, Driver } from "./driver.ts";
export { isSessionLost } from "./http-driver.ts";
export {
  defaultRunDir,
  describeReaped,
  hadLeftovers,
  type Reaped,
  RunRegistry,
} from "./run-registry.ts";
export {
  type ChildProcessHandle,
  createSystemSpawner,
  type Spawner,
  type SpawnRequest,
  systemSpawner,
} from "./spawner.ts";
export { stderrExcerpt } from "./stderr-excerpt.ts";

/** What drivers need from the outside world. */
export interface DriverDeps {
  readonly spawner: Spawner;
  readonly logger: Logger;
  /** Hangar's environment, which children inherit in part (see `childEnv`; default process.env). */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** The client in front, for providers' requests and logs (default none). */
  readonly bridge?: ClientBridge;
}

/** Picks the driver for a provider's transport kind. */
export function createDriver(provider: ResolvedProvider, deps: DriverDeps): Driver {
  const t = provider.transport;
  switch (t.kind) {
    case "stdio":
      return stdioDriver(provider.id, t, deps);
    case "docker":
      return dockerDriver(provider.id, t, deps);
    case "http":
      return new HttpDriver(provider.id, t, deps.logger, deps.bridge);
  }
}
