import type { DiscoverResult } from "@modelcontextprotocol/client";
import type { ResolvedProvider } from "../config/types.ts";

/**
 * Which protocol era a provider speaks, as Hangar remembers it between runs: `modern` (2026-07-28 and
 * later; its `server/discover` answer, adopted next time with no round trip) or `legacy` (2025 revisions,
 * `initialize`). The SDK's `PriorDiscovery`, so a verdict is passed to `connect({ prior })` as it is.
 */
export type EraVerdict = { readonly kind: "modern"; readonly discover: DiscoverResult } | { readonly kind: "legacy" };

/**
 * Where era verdicts are kept, per launch config (the catalog cache). `recall` answers only verdicts still
 * worth trusting: a legacy one is re-probed after a horizon, since an upgraded server still answers
 * `initialize` and a stale legacy verdict would otherwise hold forever.
 */
export interface EraMemory {
  /** The verdict to connect with, or undefined to probe. */
  recall(provider: ResolvedProvider): EraVerdict | undefined;
  /** Keeps a verdict a probe gave (never one that came from a probe's timeout). */
  remember(provider: ResolvedProvider, verdict: EraVerdict): void;
  /** Drops the verdict, so the next start probes again (a start with it failed). */
  forget(provider: ResolvedProvider): void;
}

/** No memory: every start probes. */
export const noEraMemory: EraMemory = { recall: () => undefined, remember: () => {}, forget: () => {} };

/** How one connect meets the era question: with a remembered verdict, or by probing within `probeTimeoutMs`. */
export interface EraPlan {
  /** A remembered verdict; the connect then sends no `server/discover` (default: probe). */
  readonly prior?: EraVerdict;
  /**
   * How long the `server/discover` probe may go unanswered (stdio: silence then means a legacy server,
   * and the verdict is not remembered; HTTP: an outage).
   */
  readonly probeTimeoutMs: number;
}

/** What a connect learned of the era: the verdict to remember, when a probe (not a timeout) gave one. */
export interface EraOutcome {
  /** The era the connection speaks. */
  readonly era: "modern" | "legacy";
  /** A verdict worth remembering; undefined when it came from `prior` or from a probe's timeout. */
  readonly learned: EraVerdict | undefined;
}

/** The probe's timeout for a start of `startupTimeoutMs`: a quarter of it, at most 5 s, at least 100 ms. */
export function probeTimeoutFor(startupTimeoutMs: number): number {
  return Math.max(100, Math.min(5000, Math.floor(startupTimeoutMs / 4)));
}
