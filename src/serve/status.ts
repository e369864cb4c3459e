import type { ConfigStatus, Gateway } from "../gateway/index.ts";
import type { CircuitStateName, ProviderState } from "../pool/index.ts";
import type { Catalog, CatalogSource } from "./catalog.ts";
import { type PinningStatus, pinningStatus } from "./pinning-status.ts";

/** One provider's health, as `hangar_status` reports it. */
export interface ProviderStatus {
  id: string;
  kind: "stdio" | "docker" | "http";
  state: ProviderState;
  circuit: { state: CircuitStateName; retry_in_s?: number };
  in_flight: number;
  queued: number;
  calls: number;
  starts: number;
  failed_starts: number;
  crashes: number;
  health_checks: { total: number; failed: number; last_ping_ms?: number };
  /** Round trips of answered tool calls: the last one and a moving average. */
  call_latency_ms?: { last: number; average: number };
  uptime_s?: number;
  pid?: number;
  tools: number;
  catalog: CatalogSource;
  last_error?: string;
}

/** A provider instance a reload removed or replaced, still finishing the calls it accepted. */
export interface DrainingStatus {
  id: string;
  calls: number;
  pid?: number;
}

/**
 * Every provider's (or one provider's) state, load, failures, breaker, uptime and latency, and the tool
 * definitions that changed since they were pinned (`pinning`). `startedAt`
 * (when Hangar started) and every other time are read on the gateway's clock.
 */
export function statusOf(
  gateway: Gateway,
  catalog: Catalog,
  startedAt: number,
  providerId?: string,
): {
  uptime_s: number;
  config: ConfigStatus;
  providers: ProviderStatus[];
  draining?: DrainingStatus[];
  pinning: PinningStatus;
} {
  const now = gateway.clock.now();
  const handles = [...gateway.handles.values()].filter((h) => providerId === undefined || h.config.id === providerId);
  const providers = handles.map((handle): ProviderStatus => {
    const { stats, breaker, config } = handle;
    const load = gateway.load(config.id);
    const retryMs = breaker.remainingMs();
    const entry = catalog.entry(config.id);
    const up = handle.state === "ready" && stats.startedAt !== undefined;
    return {
      id: config.id,
      kind: config.transport.kind,
      state: handle.state,
      circuit: { state: breaker.state, ...(retryMs > 0 ? { retry_in_s: Math.ceil(retryMs / 1000) } : {}) },
      in_flight: load.inFlight,
      queued: load.queued,
      calls: stats.calls,
      starts: stats.starts,
      failed_starts: stats.failedStarts,
      crashes: stats.crashes,
      health_checks: {
        total: stats.healthChecks,
        failed: stats.healthFailures,
        ...(stats.lastPingMs === undefined ? {} : { last_ping_ms: round(stats.lastPingMs) }),
      },
      ...(stats.lastCallMs === undefined || stats.avgCallMs === undefined
        ? {}
        : { call_latency_ms: { last: round(stats.lastCallMs), average: round(stats.avgCallMs) } }),
      ...(up ? { uptime_s: Math.round((now - stats.startedAt!) / 1000) } : {}),
      ...(handle.pid === undefined ? {} : { pid: handle.pid }),
      tools: entry.catalog?.tools.length ?? 0,
      catalog: entry.source,
      ...(stats.lastError === undefined ? {} : { last_error: stats.lastError }),
    };
  });
  const draining = gateway
    .retiring()
    .filter(({ handle }) => providerId === undefined || handle.config.id === providerId)
    .map(({ handle, calls }) => ({
      id: handle.config.id,
      calls,
      ...(handle.pid === undefined ? {} : { pid: handle.pid }),
    }));
  return {
    uptime_s: Math.round((now - startedAt) / 1000),
    config: gateway.configRecord.status(),
    providers,
    ...(draining.length > 0 ? { draining } : {}),
    pinning: pinningStatus(gateway.pins, providerId),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
