/** Tool pinning's public face: definitions, their digests and diffs, the lock file, and `Pins`. */
export {
  canonicalJson,
  type Definition,
  digestOf,
  type PinKind,
  promptDefinition,
  toolDefinition,
} from "./definition.ts";
export { type DefinitionDiff, diffDefinitions } from "./definition-diff.ts";
export { LOCK_NAME, type LockData, LockFile, lockPathOf, type PinnedItem, type ProviderPins } from "./lock-file.ts";
export { type OpenPinsOptions, openPins } from "./open-pins.ts";
export { diffOf, type PinChange, Pins, type PinsOptions } from "./pins.ts";
