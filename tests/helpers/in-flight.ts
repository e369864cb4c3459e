import { type GatewayRecorder, noopRecorder } from "../../src/observability/recorder.ts";

/**
 * A recorder that counts upstream `tools/call` requests in flight per provider, exactly: the count goes up
 * as a request is sent and down as it settles, so a test reads the peak instead of sampling on a timer.
 */
export function inFlightRecorder(): GatewayRecorder & { readonly peak: Map<string, number> } {
  const now = new Map<string, number>();
  const peak = new Map<string, number>();
  return {
    ...noopRecorder,
    peak,
    batchStarted: () => ({
      callStarted: (call) => ({
        upstream: async (_kind, send) => {
          const count = (now.get(call.provider) ?? 0) + 1;
          now.set(call.provider, count);
          peak.set(call.provider, Math.max(peak.get(call.provider) ?? 0, count));
          try {
            return await send(undefined);
          } finally {
            now.set(call.provider, (now.get(call.provider) ?? 1) - 1);
          }
        },
        finished: () => {},
      }),
      finished: () => {},
    }),
  };
}
