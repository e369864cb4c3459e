export { AbortGroup } from "./abort-group.ts";
export { findCycle } from "./call-graph.ts";
export {
  type Deadline,
  deadline,
  type LinkedSignal,
  type LinkOptions,
  linkSignals,
  raceSignal,
  sleep,
} from "./deadline.ts";
export { type BatchCall, type RunBatchOptions, runBatch, type Settled } from "./run-batch.ts";
export { type RunOneOptions, runOne } from "./run-one.ts";
export { type Release, Semaphore } from "./semaphore.ts";
