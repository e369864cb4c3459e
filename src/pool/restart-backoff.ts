import { ExponentialBackoff, type IBackoff } from "cockatiel";
import type { Clock } from "../clock.ts";
import { ProviderError } from "../errors.ts";

/** Delays between failed starts: exponential from 1 s up to 60 s, with decorrelated jitter. */
const RESTART_BACKOFF = new ExponentialBackoff({ initialDelay: 1_000, maxDelay: 60_000 });

/** When a provider that failed to start may be tried again: each failure waits longer, a success resets. */
export class RestartBackoff {
  private backoff: IBackoff<unknown> | undefined;
  private nextStartAt = 0;

  constructor(
    private readonly providerId: string,
    private readonly clock: Clock,
  ) {}

  /** A start failed; returns how long the next must wait, in ms. */
  failed(): number {
    this.backoff = this.backoff ? this.backoff.next(undefined) : RESTART_BACKOFF.next();
    this.nextStartAt = this.clock.now() + this.backoff.duration;
    return this.backoff.duration;
  }

  /** A start succeeded: the next failure waits the shortest delay again. */
  succeeded(): void {
    this.backoff = undefined;
    this.nextStartAt = 0;
  }

  /** Why a start may not be tried yet (`lastError` says why the last one failed); undefined once it may. */
  refusal(lastError: string | undefined): ProviderError | undefined {
    const waitMs = this.nextStartAt - this.clock.now();
    if (waitMs <= 0) return undefined;
    const id = this.providerId;
    return new ProviderError(
      id,
      `Provider "${id}" is unavailable (${lastError ?? "it failed"}); next start attempt in ${Math.ceil(waitMs / 1000)} s`,
    );
  }
}
