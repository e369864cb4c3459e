// Issue 12: a shared daemon's client with per_client providers has a gateway of its own that borrows every
// other provider from the daemon's gateway; a live reload (issue 17) of the daemon must carry over to it.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../src/clock.ts";
import type { ResolvedProvider } from "../src/config/types.ts";
import { Gateway } from "../src/gateway/index.ts";
import { silentLogger } from "../src/observability/log.ts";
import { Pins } from "../src/pinning/index.ts";
import { runDir } from "../src/serve/shared/run-dir.ts";
import { fixture } from "./helpers/paths.ts";
import { isAlive, waitFor } from "./helpers/processes.ts";
import { configOf, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  // Borrowers first: they never stop what they borrowed.
  for (const g of open.splice(0).reverse()) await g.close();
});

/** The reload fixture, its instance told apart by $RELOAD_TAG. */
function reloadProvider(id: string, tag: string, overrides: Partial<ResolvedProvider> = {}): ResolvedProvider {
  const [command, ...args] = fixture("reload-server.ts");
  return stdioProvider(id, fixture("reload-server.ts"), {
    transport: { kind: "stdio", command: command!, args, env: { RELOAD_TAG: tag }, cwd: undefined },
    ...overrides,
  });
}

function track(g: Gateway): Gateway {
  open.push(g);
  return g;
}

const whoOf = (result: { result?: unknown }) =>
  JSON.parse((result.result as { content: { text: string }[] }).content[0]!.text) as { pid: number; tag: string };

describe("A gateway that borrows providers (per_client, issue 12)", () => {
  test("uses the owner's instance of a shared provider, its own of a per_client one, and closing it stops only its own", async () => {
    const config = configOf([reloadProvider("shared", "s"), reloadProvider("mine", "m", { perClient: true })]);
    const owner = track(new Gateway(config));
    const borrower = track(new Gateway(config, { borrowFrom: owner }));
    expect(borrower.handles.get("shared")).toBe(owner.handles.get("shared")!);
    expect(borrower.handles.get("mine")).not.toBe(owner.handles.get("mine")!);
    const shared = whoOf(await borrower.callOne({ provider: "shared", tool: "whoami" }));
    const mine = whoOf(await borrower.callOne({ provider: "mine", tool: "whoami" }));
    expect(whoOf(await owner.callOne({ provider: "shared", tool: "whoami" })).pid).toBe(shared.pid);
    await borrower.close();
    await waitFor(() => !isAlive(mine.pid), 10_000, "the borrower's own instance to exit");
    expect(isAlive(shared.pid)).toBe(true);
    expect(whoOf(await owner.callOne({ provider: "shared", tool: "whoami" })).pid).toBe(shared.pid);
  });

  test("after the owner's reload relaunches a shared provider, the borrower's reload uses the new instance, and the old one finishes the borrower's running call before it stops", async () => {
    const owner = track(new Gateway(configOf([reloadProvider("p", "one")])));
    const borrower = track(new Gateway(owner.config, { borrowFrom: owner }));
    const gate = join(mkdtempSync(join(tmpdir(), "hangar-borrow-")), "gate");
    const old = owner.handles.get("p")!;
    const running = borrower.callOne({ provider: "p", tool: "hold", arguments: { gate } });
    await waitFor(() => old.active === 1, 10_000, "the borrower's call running on the owner's instance");
    const pid = old.pid!;

    owner.reload(configOf([reloadProvider("p", "two")]));
    borrower.reload(owner.config);
    expect(borrower.handles.get("p")).toBe(owner.handles.get("p")!);
    expect(whoOf(await borrower.callOne({ provider: "p", tool: "whoami" })).tag).toBe("two");
    // The owner counts the borrower's call: the old instance drains instead of stopping under it.
    expect(owner.retiring().map((r) => r.calls)).toEqual([1]);
    expect(isAlive(pid)).toBe(true);
    writeFileSync(gate, "");
    expect(whoOf(await running)).toEqual({ pid, tag: "one" });
    await owner.drained();
    await waitFor(() => !isAlive(pid), 10_000, "the old instance to exit");
    expect(borrower.retiring()).toEqual([]);
  });
});

describe("A borrower's pins", () => {
  test("are the owner's: closing the borrower leaves them open, closing the owner closes them", async () => {
    const pins = new Pins({ mode: "warn", lock: undefined, logger: silentLogger, clock: systemClock });
    let closes = 0;
    const close = pins.close.bind(pins);
    pins.close = () => {
      closes += 1;
      close();
    };
    const owner = track(new Gateway(configOf([]), { pins }));
    const borrower = new Gateway(configOf([]), { pins, borrowFrom: owner });
    await borrower.close();
    expect(closes).toBe(0);
    await owner.close();
    expect(closes).toBe(1);
  });
});

describe("The shared daemons' run directory", () => {
  test("follows $HANGAR_HOME, else $XDG_RUNTIME_DIR, else ~/.hangar/run", () => {
    expect(runDir({ HANGAR_HOME: "/h", XDG_RUNTIME_DIR: "/x", HOME: "/u" })).toBe("/h/run");
    expect(runDir({ XDG_RUNTIME_DIR: "/x", HOME: "/u" })).toBe("/x/hangar");
    expect(runDir({ HOME: "/u" })).toBe("/u/.hangar/run");
  });
});
