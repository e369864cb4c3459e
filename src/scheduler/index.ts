export { deadline, linkSignals, raceSignal, type Deadline, type LinkedSignal } from "./deadline.ts";
export { runBatch, type BatchCall, type RunBatchOptions, type Settled } from "./run-batch.ts";
export { Semaphore, type Release } from "./semaphore.ts";
