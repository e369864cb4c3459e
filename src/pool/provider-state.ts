/** Every state a provider can be in, in the order of its life (`/readyz` counts them, and the metrics, in this order). */
export const PROVIDER_STATES = ["cold", "starting", "ready", "draining", "stopped", "failed"] as const;

/** Where a provider is in its life. */
export type ProviderState = (typeof PROVIDER_STATES)[number];
