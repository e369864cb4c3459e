export { ProviderHandle, type ProviderState, type ProviderStats, type UpstreamCallOptions } from "./provider-handle.ts";
