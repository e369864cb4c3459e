import type { Counter, Histogram } from "prom-client";

/**
 * One labelled series of a prom-client counter or histogram, held for the call path. prom-client's
 * `inc(labels)` / `observe(labels, v)` (and its `labels(...)` children, which do the same) check the
 * labels, hash them into a string and allocate a closure and a pair on every call: ~0.2 µs each, four of
 * them per recorded call. A held series does that once, at its first record, then adds to prom-client's
 * own entry for those labels exactly as prom-client would (same fields, same order of additions), so
 * `/metrics` prints the same text. It reaches one private field of prom-client 15 (`hashMap`, the entries
 * its exposition reads); when that entry is gone (a registry reset) or not found, it records through the
 * public call instead. tests/metrics.test.ts compares the output with prom-client's own recording.
 */
export interface HeldSeries {
  /** Adds `value` (1 by default for a counter; the observed value for a histogram). */
  record(value: number): void;
}

/** What a held series reads of prom-client's private state. */
interface Entries<Entry> {
  hashMap?: Record<string, Entry>;
}
interface CounterEntry {
  value: number;
  labels: object;
}
interface HistogramEntry {
  labels: object;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

/** The series of `counter` with `labels` (every label name given; frozen by the caller). */
export function heldCounter<T extends string>(counter: Counter<T>, labels: Record<T, string>): HeldSeries {
  const metric = counter as unknown as Entries<CounterEntry>;
  let hash: string | undefined;
  let entry: CounterEntry | undefined;
  return {
    record(value) {
      if (entry !== undefined && metric.hashMap?.[hash!] === entry) {
        entry.value += value;
        return;
      }
      counter.inc(labels, value);
      [hash, entry] = entryOf(metric, labels);
    },
  };
}

/** The series of `histogram` with `labels` (`{}` for a histogram without labels). */
export function heldHistogram<T extends string>(
  histogram: Histogram<T>,
  labels: Partial<Record<T, string>>,
  buckets: readonly number[],
): HeldSeries {
  const metric = histogram as unknown as Entries<HistogramEntry>;
  // prom-client keys its bucket counts by the bound's string form; computed once here.
  const keys = buckets.map(String);
  let hash: string | undefined;
  let entry: HistogramEntry | undefined;
  return {
    record(value) {
      if (entry !== undefined && Number.isFinite(value) && metric.hashMap?.[hash!] === entry) {
        let at = 0;
        while (at < buckets.length && value > buckets[at]!) at++;
        if (at < buckets.length) entry.bucketValues[keys[at]!]! += 1;
        entry.sum += value;
        entry.count += 1;
        return;
      }
      histogram.observe(labels, value);
      [hash, entry] = entryOf(metric, labels);
    },
  };
}

/** prom-client's entry for `labels` and its key, found once per series (a scan of the metric's entries). */
function entryOf<Entry extends { labels: object }>(
  metric: Entries<Entry>,
  labels: object,
): [string | undefined, Entry | undefined] {
  const map = metric.hashMap ?? {};
  for (const key in map) if (sameLabels(map[key]!.labels, labels)) return [key, map[key]];
  return [undefined, undefined];
}

function sameLabels(a: object, b: object): boolean {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => left[key] === right[key]);
}
