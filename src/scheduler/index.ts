export { anySignal, deadline, raceSignal, type Deadline } from "./deadline.ts";
export { runBatch, type BatchCall, type RunBatchOptions, type Settled } from "./run-batch.ts";
export { Semaphore, type Release } from "./semaphore.ts";
