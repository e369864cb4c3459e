import type { PinningMode } from "../config/index.ts";
import { diffOf, type Pins } from "../pinning/index.ts";

/** One tool or prompt that is not what the lock pins, as `hangar_status` shows it. */
export interface PinChangeStatus {
  provider: string;
  kind: "tool" | "prompt";
  name: string;
  change: "changed" | "added";
  /** The fields that differ. */
  fields: string[];
  /** Held back from clients until `hangar pin` approves it (`pinning: block`). */
  withheld: boolean;
  /** A unified diff of the pinned definition (`-`) and the listed one (`+`), as canonical JSON. */
  diff: string;
}

/** Tool pinning's state in `hangar_status`. */
export interface PinningStatus {
  mode: PinningMode;
  lock_file?: string;
  /** Why the lock file cannot be written here (approvals are then made with `hangar pin` where it can). */
  lock_not_writable?: string;
  changes: PinChangeStatus[];
}

/** Pinning's state: its mode, lock file, and the changes of one provider or of all. */
export function pinningStatus(pins: Pins | undefined, providerId?: string): PinningStatus {
  if (pins === undefined) return { mode: "off", changes: [] };
  return {
    mode: pins.mode,
    ...(pins.lockPath === undefined ? {} : { lock_file: pins.lockPath }),
    ...(pins.lockProblem === undefined ? {} : { lock_not_writable: pins.lockProblem }),
    changes: pins.changes(providerId).map((change) => {
      const diff = diffOf(change);
      return {
        provider: change.provider,
        kind: change.kind,
        name: change.name,
        change: change.change,
        fields: [...diff.fields],
        withheld: change.withheld,
        diff: diff.text,
      };
    }),
  };
}
