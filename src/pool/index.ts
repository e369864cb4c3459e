export type { CircuitStateName } from "./breaker.ts";
export type { CatalogReview } from "./catalog-review.ts";
export { offersTasks, TASKS_EXTENSION } from "./offers-tasks.ts";
export { ProviderHandle } from "./provider-handle.ts";
export { PROVIDER_STATES, type ProviderState } from "./provider-state.ts";
export type { ProviderStats } from "./provider-stats.ts";
export { EMPTY_CATALOG, type ProviderCatalog } from "./read-catalog.ts";
export {
  type InputRound,
  type UpstreamCallOptions,
  withClientCapabilities,
  withInputRound,
} from "./upstream-call.ts";
