export type { CircuitStateName } from "./breaker.ts";
export { ProviderHandle, type ProviderState, type ProviderStats, type UpstreamCallOptions } from "./provider-handle.ts";
export { EMPTY_CATALOG, type ProviderCatalog } from "./read-catalog.ts";
