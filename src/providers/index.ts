import type { ResolvedProvider } from "../config/types.ts";
import type { Driver } from "./driver.ts";
import { HttpDriver } from "./http-driver.ts";
import { dockerDriver, type ProcessDriverDeps, stdioDriver } from "./stdio-driver.ts";

export { childEnv } from "./child-env.ts";
export { type ClientBridge, noBridge } from "./client-bridge.ts";
export { NO_SDK_TIMEOUT } from "./connect-client.ts";
export type { Connection, Driver } from "./driver.ts";
export {
  type EraMemory,
  type EraOutcome,
  type EraPlan,
  type EraVerdict,
  noEraMemory,
  probeTimeoutFor,
} from "./era.ts";
export { isSessionLost } from "./http-driver.ts";
export { type RawChannel, rawChannelOf } from "./raw-dispatch.ts";
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
export { urlShown, withoutUrl } from "./url-shown.ts";

/** What drivers need from the outside world: the same as the process drivers' (an HTTP driver uses part of it). */
export type DriverDeps = ProcessDriverDeps;

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
