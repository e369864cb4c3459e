// Issue 10, tasks: the task ids Hangar gives 2026 clients carry their provider, sealed, so a client reaches
// a task only through the provider that made it, and any replica with the same key serves it.
import { describe, expect, test } from "bun:test";
import { TaskIds } from "../src/serve/task-ids.ts";

const owner = { provider: "jobs", upstream: "0f1e-task.7" };

describe("Hangar's task ids (issue 10, tasks)", () => {
  test("an id opens to its provider and task, on any process with the same secret", () => {
    const id = new TaskIds("token").mint(owner);
    expect(new TaskIds("token").open(id)).toEqual(owner);
    expect(id).not.toContain(owner.upstream);
  });

  test("an id from another key, an altered id and a provider's own id are refused", () => {
    const ids = new TaskIds("token");
    const id = ids.mint(owner);
    expect(new TaskIds("other").open(id)).toBeUndefined();
    expect(new TaskIds().open(id)).toBeUndefined();
    const [tag, , upstream, mac] = id.split(".");
    const elsewhere = Buffer.from("other-provider").toString("base64url");
    expect(ids.open([tag, elsewhere, upstream, mac].join("."))).toBeUndefined();
    expect(ids.open(`${id}x`)).toBeUndefined();
    expect(ids.open(owner.upstream)).toBeUndefined();
    expect(ids.open("")).toBeUndefined();
    expect(ids.open("ht1...")).toBeUndefined();
  });

  test("provider ids and task ids with dots and any characters survive the round trip", () => {
    const ids = new TaskIds();
    const odd = { provider: "team.jobs-β", upstream: "a.b/c:d e" };
    expect(ids.open(ids.mint(odd))).toEqual(odd);
  });
});
