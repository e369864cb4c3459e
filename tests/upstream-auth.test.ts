// Issue 15: the parts of upstream OAuth below the CLI — when a token counts as expiring, single-flight
// refreshes, and two hangars sharing one tokens folder — against the real authorization server fixture.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { findRecord, login, needsRefresh, type TokenRecord, UpstreamAuth, writeRecord } from "../src/auth/index.ts";
import { takeRefreshLock } from "../src/auth/refresh-lock.ts";
import { silentLogger } from "../src/observability/log.ts";
import { browse, type OAuthWorld, startOAuthWorld } from "./fixtures/oauth-world.ts";

/** A record whose access token was issued at 0 and lives `lifetimeMs` (undefined: no stated expiry). */
function recordLiving(lifetimeMs: number | undefined): TokenRecord {
  return {
    version: 1,
    provider: "p",
    server_url: "https://mcp.example/mcp",
    resource: "https://mcp.example/mcp",
    issuer: "https://as.example",
    authorization_server: { issuer: "https://as.example", token_endpoint: "https://as.example/token" },
    client: { client_id: "c" },
    tokens: {
      access_token: "a",
      token_type: "Bearer",
      obtained_at: 0,
      ...(lifetimeMs === undefined ? {} : { expires_at: lifetimeMs }),
    },
  };
}

/** Signs in to the world's MCP server in-process, the browser played by `browse`; returns the folder. */
async function signedIn(world: OAuthWorld): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "hangar-tokens-"));
  await login({
    providerId: "remote",
    serverUrl: world.mcpUrl,
    dir,
    say: () => {},
    openBrowser: (url) => {
      const redirect = new URL(url).searchParams.get("redirect_uri") ?? "";
      void browse(url, redirect).then(async ({ callback }) => (await fetch(callback)).text());
    },
    signal: AbortSignal.timeout(20_000),
  });
  return dir;
}

describe("Issue 15: when an access token is refreshed", () => {
  test("an hour-long token is refreshed from its last minute on, not before", () => {
    const record = recordLiving(3_600_000);
    expect(needsRefresh(record, 3_539_999)).toBe(false);
    expect(needsRefresh(record, 3_540_000)).toBe(true);
  });

  test("a short-lived token is refreshed in the last tenth of its life", () => {
    const record = recordLiving(5_000);
    expect(needsRefresh(record, 4_499)).toBe(false);
    expect(needsRefresh(record, 4_500)).toBe(true);
  });

  test("a token without a stated expiry is refreshed only when the provider refuses it", () => {
    expect(needsRefresh(recordLiving(undefined), Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

describe("Issue 15: UpstreamAuth", () => {
  test("without a sign-in the folder is read once, not before every request, and again on a 401", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hangar-tokens-"));
    try {
      const record = { ...recordLiving(undefined), server_url: "https://mcp.example/mcp" };
      const auth = new UpstreamAuth("p", record.server_url, silentLogger, { dir });
      expect(await auth.token()).toBeUndefined();
      await writeRecord(dir, record); // `hangar auth login p` while hangar runs
      expect(await auth.token()).toBeUndefined();
      const unauthorized = {
        response: new Response(null, { status: 401 }),
        serverUrl: new URL(record.server_url),
        fetchFn: fetch,
      };
      await auth.onUnauthorized(unauthorized); // the new sign-in is found: the request is retried with it
      expect(await auth.token()).toBe("a");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the sign-in is stored with mode 0600 in a 0700 folder", async () => {
    await using world = await startOAuthWorld();
    const dir = await signedIn(world);
    try {
      const stored = await findRecord(dir, world.mcpUrl);
      expect(stored).toBeDefined();
      expect(statSync(stored!.path).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test("many requests past expiry share one refresh", async () => {
    await using world = await startOAuthWorld();
    const dir = await signedIn(world);
    try {
      const before = (await findRecord(dir, world.mcpUrl))!.record;
      const late = () => (before.tokens.expires_at ?? 0) + 1;
      const auth = new UpstreamAuth("remote", world.mcpUrl, silentLogger, { dir, now: late, mode: "oauth" });
      const tokens = await Promise.all(Array.from({ length: 10 }, () => auth.token()));
      expect(new Set(tokens).size).toBe(1);
      expect(tokens[0]).not.toBe(before.tokens.access_token);
      // One refresh: the refresh token rotated once, and the stored one is the rotated one.
      const after = (await findRecord(dir, world.mcpUrl))!.record;
      expect(after.tokens.access_token).toBe(tokens[0]!);
      expect(after.tokens.refresh_token).not.toBe(before.tokens.refresh_token);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test("a second hangar sharing the folder takes the first one's refreshed tokens instead of spending the old refresh token", async () => {
    await using world = await startOAuthWorld();
    const dir = await signedIn(world);
    try {
      const first = new UpstreamAuth("remote", world.mcpUrl, silentLogger, { dir, mode: "oauth" });
      const second = new UpstreamAuth("remote", world.mcpUrl, silentLogger, { dir, mode: "oauth" });
      // Both sent the original token (a transport asks for it before each request).
      const original = await first.token();
      expect(await second.token()).toBe(original);
      const unauthorized = {
        response: new Response(null, { status: 401 }),
        serverUrl: new URL(world.mcpUrl),
        fetchFn: fetch,
      };
      await first.onUnauthorized(unauthorized);
      const refreshed = await first.token();
      expect(refreshed).not.toBe(original);
      // Spending the rotated-away refresh token would make the server revoke the whole grant.
      await second.onUnauthorized(unauthorized);
      expect(await second.token()).toBe(refreshed);
      await first.onUnauthorized(unauthorized); // the grant is still alive: a refresh still works
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test("two providers sharing one sign-in refresh it once, and the grant stays alive", async () => {
    await using world = await startOAuthWorld();
    const dir = await signedIn(world);
    try {
      const before = (await findRecord(dir, world.mcpUrl))!.record;
      const late = () => (before.tokens.expires_at ?? 0) + 1;
      // One with `auth: oauth`, one without: the same `url`, so the same stored sign-in.
      const remote = new UpstreamAuth("remote", world.mcpUrl, silentLogger, { dir, now: late, mode: "oauth" });
      const twin = new UpstreamAuth("twin", world.mcpUrl, silentLogger, { dir, now: late });
      const [first, second] = await Promise.all([remote.token(), twin.token()]);
      expect(first).not.toBe(before.tokens.access_token);
      expect(second).toBe(first!);
      // A second refresh would have spent the rotated-away refresh token and revoked the grant.
      const after = (await findRecord(dir, world.mcpUrl))!.record;
      const later = new UpstreamAuth("remote", world.mcpUrl, silentLogger, {
        dir,
        now: () => (after.tokens.expires_at ?? 0) + 1,
        mode: "oauth",
      });
      expect(await later.token()).not.toBe(first!);
      expect(readdirSync(dir).filter((name) => name.endsWith(".lock"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test("a refresh refused with invalid_grant takes the tokens another hangar stored meanwhile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hangar-tokens-"));
    try {
      const record = { ...recordLiving(1000), tokens: { ...recordLiving(1000).tokens, refresh_token: "r1" } };
      await writeRecord(dir, record);
      const theirs = {
        ...record,
        tokens: { ...record.tokens, access_token: "b", obtained_at: 5000, expires_at: 9000 },
      };
      // A hangar that did not wait for the lock spends r1 first: this one's refresh is refused.
      const tokenEndpoint = async () => {
        await writeRecord(dir, theirs);
        return Response.json({ error: "invalid_grant" }, { status: 400 });
      };
      const auth = new UpstreamAuth("p", record.server_url, silentLogger, {
        dir,
        now: () => 2000,
        fetch: tokenEndpoint,
      });
      expect(await auth.token()).toBe("b");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Issue 15: the refresh lock", () => {
  test("a held lock is waited for, and one whose holder is gone is taken over", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hangar-tokens-"));
    try {
      const path = join(dir, "sign-in.lock");
      const held = await takeRefreshLock(path);
      let second = false;
      const waiting = takeRefreshLock(path).then((lock) => {
        second = true;
        return lock;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(second).toBe(false);
      held?.release();
      (await waiting)?.release();
      expect(existsSync(path)).toBe(false);

      // A holder killed mid-refresh: a pid of this host that no longer runs, or a lock past its age.
      writeFileSync(path, `2147483646 ${hostname()} x\n`);
      (await takeRefreshLock(path))?.release();
      writeFileSync(path, `${process.pid} another-host x\n`);
      utimesSync(path, new Date(0), new Date(0));
      (await takeRefreshLock(path))?.release();
      expect(existsSync(path)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
