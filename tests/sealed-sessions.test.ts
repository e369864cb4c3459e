// Issue 13, "any replica answers any request": 2025 session ids sealed with a key the replicas share.
// The seal itself, then two HTTP fronts in one process (two "replicas", each with its own gateway)
// driven with `app.request()`: a session opened on one is served by the other.
import { afterEach, describe, expect, test } from "bun:test";
import { Gateway } from "../src/gateway/index.ts";
import { Hangar } from "../src/lib/hangar.ts";
import { silentLogger } from "../src/observability/log.ts";
import { createHttpApp, type HttpApp, SessionSeal, sessionSecretsOf } from "../src/serve/http/index.ts";
import { INITIALIZED } from "./helpers/jsonrpc.ts";
import { configOf, demoProvider } from "./helpers/providers.ts";

const SECRET = "a shared secret of at least thirty-two bytes";
const OTHER = "another secret, also thirty-two bytes or more";
const SESSION = {
  protocolVersion: "2025-06-18",
  capabilities: { sampling: {}, roots: { listChanged: true } },
  clientInfo: { name: "client", version: "1.2.3" },
};

describe("SessionSeal", () => {
  test("an id opens to what it sealed, with the creation time of the wall clock it was given", () => {
    const seal = new SessionSeal([SECRET], { now: () => 1_700_000_000_000 });
    const id = seal.seal(SESSION);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(new SessionSeal([SECRET]).open(id)).toEqual({ ...SESSION, createdAt: 1_700_000_000_000 });
  });

  test("two sessions with the same content get different ids", () => {
    const seal = new SessionSeal([SECRET]);
    expect(seal.seal(SESSION)).not.toBe(seal.seal(SESSION));
  });

  test("an id sealed with another key, a random UUID or garbage opens to nothing", () => {
    const id = new SessionSeal([OTHER]).seal(SESSION);
    const seal = new SessionSeal([SECRET]);
    for (const forged of [id, crypto.randomUUID(), "", "!!!", "AQ", "a".repeat(5000)])
      expect(seal.open(forged)).toBeUndefined();
  });

  test("flipping any one bit of an id (version byte, IV, ciphertext or tag) makes it open to nothing", () => {
    const seal = new SessionSeal([SECRET]);
    const bytes = Buffer.from(seal.seal(SESSION), "base64url");
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes);
      tampered[i] = (tampered[i] as number) ^ (1 << (i % 8));
      expect(seal.open(tampered.toString("base64url"))).toBeUndefined();
    }
  });

  test("with two keys, the first seals and both open: the old key rotates out without ending sessions", () => {
    const old = new SessionSeal([OTHER]).seal(SESSION);
    const rotated = new SessionSeal([SECRET, OTHER]);
    expect(rotated.open(old)?.clientInfo).toEqual(SESSION.clientInfo);
    expect(new SessionSeal([SECRET]).open(rotated.seal(SESSION))?.clientInfo).toEqual(SESSION.clientInfo);
  });

  test("a key file's non-empty lines are its keys; an empty file or a short key is refused with a sentence", () => {
    expect(sessionSecretsOf(`${SECRET}\n\n  ${OTHER}  \n`, "key")).toEqual([SECRET, OTHER]);
    expect(() => sessionSecretsOf("\n \n", "/k")).toThrow("The session key file /k is empty");
    expect(() => sessionSecretsOf(`${SECRET}\nshort\n`, "/k")).toThrow(
      "Key 2 (non-empty line) of the session key file /k is shorter than 32 bytes",
    );
  });
});

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

/** One "replica": the HTTP front on its own gateway with a demo provider. */
function replica(seal?: SessionSeal, maxSessions?: number): HttpApp {
  const gateway = new Gateway(configOf([demoProvider("demo")]));
  const hangar = Hangar.over(gateway);
  const http = createHttpApp(
    { hangar, logger: silentLogger },
    {
      host: "127.0.0.1",
      port: () => 8000,
      ...(seal === undefined ? {} : { seal }),
      ...(maxSessions === undefined ? {} : { maxSessions }),
    },
  );
  open.push(async () => {
    await http.sessions.close();
    await hangar.close();
  });
  return http;
}

/** The parts of JSON-RPC answers these tests read. */
interface RpcMessage {
  result: { protocolVersion: string; tools: { name: string }[]; content: { text: string }[] };
  error: { message: string };
}

const HEADERS = {
  host: "127.0.0.1:8000",
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

/** POSTs JSON-RPC to /mcp (in `session` when given); the first JSON-RPC message of the SSE answer, or the JSON error. */
async function post(
  http: HttpApp,
  body: unknown,
  session?: string,
): Promise<{ status: number; id?: string; message: RpcMessage }> {
  const headers =
    session === undefined ? HEADERS : { ...HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" };
  const response = await http.app.request("http://127.0.0.1:8000/mcp", {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const messages = text.startsWith("{")
    ? [JSON.parse(text)]
    : text
        .split("\n")
        .filter((line) => line.startsWith("data: ") && line.length > 6)
        .map((line) => JSON.parse(line.slice(6)));
  const id = response.headers.get("mcp-session-id") ?? undefined;
  return { status: response.status, ...(id === undefined ? {} : { id }), message: messages[0] as RpcMessage };
}

async function initialize(http: HttpApp, capabilities: object = SESSION.capabilities): Promise<string> {
  const opened = await post(http, {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities, clientInfo: SESSION.clientInfo },
  });
  expect(opened.status).toBe(200);
  expect(opened.message.result.protocolVersion).toBe("2025-06-18");
  expect((await post(http, INITIALIZED, opened.id)).status).toBe(202);
  return opened.id as string;
}

const LIST_TOOLS = { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} };
const ECHO = {
  jsonrpc: "2.0",
  id: 3,
  method: "tools/call",
  params: { name: "demo__echo", arguments: { message: "b" } },
};

describe("Issue 13: a sealed 2025 session is served by any replica sharing the key", () => {
  test("a session opened on one replica lists tools and calls them on another that never saw it", async () => {
    const a = replica(new SessionSeal([SECRET]));
    const b = replica(new SessionSeal([SECRET]));
    const id = await initialize(a);
    expect(id).not.toMatch(/^[0-9a-f-]{36}$/);
    const listed = await post(b, LIST_TOOLS, id);
    expect(listed.status).toBe(200);
    expect(listed.message.result.tools.map((t) => t.name)).toContain("hangar_call");
    const called = await post(b, ECHO, id);
    expect(called.message.result.content[0]?.text).toContain("b");
    expect(b.sessions.size).toBe(1);
    // and back: the replica that opened it still serves it
    expect((await post(a, LIST_TOOLS, id)).status).toBe(200);
  });

  test("requests arriving together for a session a replica never saw rebuild it once", async () => {
    const a = replica(new SessionSeal([SECRET]));
    const b = replica(new SessionSeal([SECRET]));
    const id = await initialize(a);
    const answers = await Promise.all([11, 12, 13, 14].map((n) => post(b, { ...LIST_TOOLS, id: n }, id)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(b.sessions.size).toBe(1);
  });

  test("a replica without the key, or with another key, answers a sealed id with 404", async () => {
    const id = await initialize(replica(new SessionSeal([SECRET])));
    for (const other of [replica(), replica(new SessionSeal([OTHER]))]) {
      const answer = await post(other, LIST_TOOLS, id);
      expect(answer.status).toBe(404);
      expect(answer.message.error.message).toContain("Session not found");
    }
  });

  test("a tampered or forged session id is answered 404 and nothing is rebuilt", async () => {
    const a = replica(new SessionSeal([SECRET]));
    const b = replica(new SessionSeal([SECRET]));
    const id = await initialize(a);
    const tampered = `${id.slice(0, 20)}${id[20] === "A" ? "B" : "A"}${id.slice(21)}`;
    for (const forged of [tampered, crypto.randomUUID(), "x"])
      expect((await post(b, LIST_TOOLS, forged)).status).toBe(404);
    expect(b.sessions.size).toBe(0);
  });

  test("DELETE ends only what the receiving replica holds: it refuses the id afterwards, the others still serve it", async () => {
    const a = replica(new SessionSeal([SECRET]));
    const b = replica(new SessionSeal([SECRET]));
    const id = await initialize(a);
    const deleted = await b.app.request("http://127.0.0.1:8000/mcp", {
      method: "DELETE",
      headers: { ...HEADERS, "mcp-session-id": id },
    });
    expect(deleted.status).toBe(200);
    expect((await post(b, LIST_TOOLS, id)).status).toBe(404);
    expect((await post(a, LIST_TOOLS, id)).status).toBe(200);
    const onA = await a.app.request("http://127.0.0.1:8000/mcp", {
      method: "DELETE",
      headers: { ...HEADERS, "mcp-session-id": id },
    });
    expect(onA.status).toBe(200);
    expect(a.sessions.size).toBe(0);
    expect((await post(a, LIST_TOOLS, id)).status).toBe(404);
  });

  test("the session cap counts live streams: an idle held session makes room and is rebuilt when it comes back", async () => {
    const a = replica(new SessionSeal([SECRET]), 1);
    const first = await initialize(a);
    const second = await initialize(a);
    expect(a.sessions.size).toBe(1);
    expect((await post(a, LIST_TOOLS, first)).status).toBe(200);
    expect((await post(a, LIST_TOOLS, second)).status).toBe(200);

    // A session with an open stream is live: it is not dropped, and the cap refuses the next one.
    const stream = await a.app.request("http://127.0.0.1:8000/mcp", {
      method: "GET",
      headers: {
        ...HEADERS,
        accept: "text/event-stream",
        "mcp-session-id": second,
        "mcp-protocol-version": "2025-06-18",
      },
    });
    expect(stream.status).toBe(200);
    const refused = await post(a, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: SESSION.clientInfo },
    });
    expect(refused.status).toBe(503);
    expect((await post(a, LIST_TOOLS, first)).status).toBe(503);
    await stream.body?.cancel();
    expect((await post(a, LIST_TOOLS, first)).status).toBe(200);
  });

  test("without a key an idle session makes room too, but for good: its id gets 404, nothing rebuilds it", async () => {
    const a = replica(undefined, 1);
    const first = await initialize(a);
    const second = await initialize(a);
    expect(a.sessions.size).toBe(1);
    expect((await post(a, LIST_TOOLS, first)).status).toBe(404);
    expect((await post(a, LIST_TOOLS, second)).status).toBe(200);
  });
});
