// Issue 15, upstream OAuth 2.1: `hangar auth login` against a real authorization server (oidc-provider)
// and a protected MCP server on loopback, the browser step played by the test; then calls through
// dist/hangar that use, refresh and lose the sign-in, and a look for the tokens in everything Hangar
// prints or writes.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TokenRecord } from "../../src/auth/index.ts";
import {
  browse,
  type OAuthWorld,
  type OAuthWorldOptions,
  startOAuthWorld,
  startTlsDocumentHost,
} from "../fixtures/oauth-world.ts";
import { runHangar, type Sandbox, sandbox, startHangar } from "../helpers/e2e.ts";
import { waitFor } from "../helpers/processes.ts";
import { hangarCall, serve } from "../helpers/serve.ts";

const TIMEOUT_MS = 90_000;
const BATCH = JSON.stringify([{ provider: "remote", tool: "whoami" }]);

/** A config with one protected `url:` provider, "remote". */
function configFor(world: OAuthWorld, auth = "    auth: oauth\n"): string {
  return `providers:\n  - id: remote\n    url: ${world.mcpUrl}\n${auth}`;
}

/** An authorization server and a protected MCP server, and a sandbox whose config names it (`auth` as given). */
async function oauthSetUp(
  options: OAuthWorldOptions = {},
  auth?: string,
): Promise<{ world: OAuthWorld; box: Sandbox } & AsyncDisposable> {
  const world = await startOAuthWorld(options);
  const box = sandbox();
  box.write("hangar.yaml", configFor(world, auth));
  return {
    world,
    box,
    async [Symbol.asyncDispose]() {
      box[Symbol.dispose]();
      await world[Symbol.asyncDispose]();
    },
  };
}

/** `hangar call --json -` of the one `remote/whoami` call, with `args` and `env` added. */
const callRemote = (box: Sandbox, args: readonly string[] = [], env: Record<string, string> = {}) =>
  runHangar(["call", "--json", "-", ...args], box.options(env, BATCH));

/** The sandbox's sign-ins folder. */
const tokensDir = (box: Sandbox) => join(box.home, ".hangar", "tokens");

/** The one stored sign-in, parsed. */
function storedRecord(box: Sandbox): { path: string; record: TokenRecord } {
  const files = readdirSync(tokensDir(box)).filter((name) => name.endsWith(".json"));
  expect(files).toHaveLength(1);
  const path = join(tokensDir(box), files[0] as string);
  return { path, record: JSON.parse(readFileSync(path, "utf8")) };
}

/**
 * Runs `hangar auth login remote --no-browser`, plays the browser up to the loopback redirect, lets
 * `alter` change that redirect (default: none) and delivers it; returns how hangar ended.
 */
async function signIn(box: Sandbox, alter: (callback: URL) => URL = (url) => url, extraArgs: readonly string[] = []) {
  await using hangar = startHangar(["auth", "login", "remote", "--no-browser", ...extraArgs], box.options());
  let authorizationUrl = "";
  let redirect = "";
  await waitFor(
    () => {
      authorizationUrl = /^\s+(http\S+)$/m.exec(hangar.stderr())?.[1] ?? "";
      redirect = /back to (http:\/\/127\.0\.0\.1:\d+\/callback)/.exec(hangar.stderr())?.[1] ?? "";
      return (authorizationUrl !== "" && redirect !== "") || hangar.proc.exitCode !== null;
    },
    20_000,
    "the authorization URL and the redirect on stderr",
  );
  expect(authorizationUrl).not.toBe("");
  expect(redirect).not.toBe("");
  const { callback } = await browse(authorizationUrl, redirect);
  // The browser's tab is answered once the sign-in has completed or failed.
  const page = await (await fetch(alter(callback))).text();
  return { ...(await hangar.done), page };
}

/** Expires the stored access token, runs the batch `calls` (JSON) once, and returns each call's `ok`. */
async function refreshedCallsOk(box: Sandbox, calls: string): Promise<boolean[]> {
  const { path, record } = storedRecord(box);
  record.tokens.expires_at = 1000;
  writeFileSync(path, JSON.stringify(record), { mode: 0o600 });
  const call = await runHangar(["call", "--json", "-"], box.options({}, calls));
  return JSON.parse(call.stdout).results.map((result: { ok: boolean }) => result.ok);
}

/** Every text Hangar printed or wrote in this sandbox: the given outputs, and each file below home. */
function everythingWritten(box: Sandbox, outputs: readonly string[]): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!path.startsWith(tokensDir(box))) files.push(readFileSync(path, "utf8"));
    }
  };
  walk(box.home);
  return [...outputs, ...files].join("\n");
}

describe("Issue 15: upstream OAuth 2.1", () => {
  test(
    "hangar auth login signs in with PKCE in the browser, then a call through hangar carries the token",
    async () => {
      await using setUp = await oauthSetUp();
      const { world, box } = setUp;
      const login = await signIn(box);
      expect(login.stderr).toContain("code_challenge_method=S256");
      expect(login.stderr).toContain(`resource=${encodeURIComponent(world.mcpUrl)}`);
      expect(login.code).toBe(0);
      expect(login.stdout).toContain(`Signed in to "remote": issuer ${world.issuer}`);
      expect(login.page).toContain("Hangar is signed in");

      const { path, record } = storedRecord(box);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(tokensDir(box)).mode & 0o777).toBe(0o700);
      expect(record.issuer).toBe(world.issuer);
      expect(record.resource).toBe(world.mcpUrl);
      expect(record.tokens.refresh_token).toBeString();

      const call = await callRemote(box);
      expect(call.code).toBe(0);
      expect(JSON.parse(call.stdout).results[0].ok).toBe(true);
      expect(world.acceptedTokens.has(record.tokens.access_token)).toBe(true);
    },
    TIMEOUT_MS,
  );

  test(
    "an expired access token is refreshed before the call, and the rotated tokens are stored",
    async () => {
      await using setUp = await oauthSetUp({ accessTokenTtlS: 2 });
      const { world, box } = setUp;
      expect((await signIn(box)).code).toBe(0);
      const before = storedRecord(box).record;
      const refusedAtLogin = world.stats.refused; // login's own probe for the server's challenge
      await waitFor(() => Date.now() > (before.tokens.expires_at ?? 0) + 1000, 10_000, "the access token to expire");

      const call = await callRemote(box);
      expect(call.code).toBe(0);
      const after = storedRecord(box).record;
      expect(after.tokens.access_token).not.toBe(before.tokens.access_token);
      expect(after.tokens.refresh_token).not.toBe(before.tokens.refresh_token);
      expect(world.acceptedTokens.has(after.tokens.access_token)).toBe(true);
      // Refreshed ahead: the provider never saw the expired token, so no call was refused.
      expect(world.stats.refused).toBe(refusedAtLogin);
    },
    TIMEOUT_MS,
  );

  test(
    "a token the provider refuses with 401 is refreshed once and the call retried",
    async () => {
      await using setUp = await oauthSetUp();
      const { world, box } = setUp;
      expect((await signIn(box)).code).toBe(0);
      const { path, record } = storedRecord(box);
      const refusedAtLogin = world.stats.refused;
      // The server no longer takes this token (as after a key rotation), though it looks valid for an hour.
      record.tokens.access_token = "no-longer-accepted";
      writeFileSync(path, JSON.stringify(record), { mode: 0o600 });

      const call = await callRemote(box);
      expect(call.code).toBe(0);
      expect(world.stats.refused).toBe(refusedAtLogin + 1);
      expect(storedRecord(box).record.tokens.access_token).not.toBe("no-longer-accepted");
    },
    TIMEOUT_MS,
  );

  test(
    "two providers with one url refresh their shared sign-in once, and it stays alive",
    async () => {
      await using setUp = await oauthSetUp();
      const { world, box } = setUp;
      expect((await signIn(box)).code).toBe(0);
      // "twin" has no `auth: oauth` but the same url, so it uses the sign-in "remote" stored.
      box.write("hangar.yaml", `${configFor(world)}  - id: twin\n    url: ${world.mcpUrl}\n`);
      const before = storedRecord(box).record;
      // One batch calls both at once: each provider's transport finds the token expired and refreshes.
      const both = JSON.stringify([
        { provider: "remote", tool: "whoami" },
        { provider: "twin", tool: "whoami" },
      ]);
      expect(await refreshedCallsOk(box, both)).toEqual([true, true]);
      expect(storedRecord(box).record.tokens.refresh_token).not.toBe(before.tokens.refresh_token);
      // Spending the rotated-away refresh token a second time would have revoked the grant: it still
      // refreshes (the JWT access token alone would pass the server even from a revoked grant).
      expect(await refreshedCallsOk(box, both)).toEqual([true, true]);
    },
    TIMEOUT_MS,
  );

  test(
    "hangar processes refreshing one sign-in at once refresh it once, and it stays alive",
    async () => {
      // Each refresh takes 500 ms, so all of them start before the first one's tokens are stored.
      await using setUp = await oauthSetUp({ tokenDelayMs: 500 });
      const { world, box } = setUp;
      expect((await signIn(box)).code).toBe(0);
      const { path, record } = storedRecord(box);
      record.tokens.expires_at = 1000;
      writeFileSync(path, JSON.stringify(record), { mode: 0o600 });
      const refusedAtLogin = world.stats.refused;

      // As several `hangar serve` (one per client window) would at expiry: each reads the expired token.
      const calls = await Promise.all(Array.from({ length: 4 }, () => callRemote(box)));
      for (const call of calls) expect(JSON.parse(call.stdout).results[0]).toMatchObject({ ok: true });
      expect(world.stats.refused).toBe(refusedAtLogin);
      expect(await refreshedCallsOk(box, BATCH)).toEqual([true]);
      expect(readdirSync(tokensDir(box))).toHaveLength(1); // no lock left behind
    },
    TIMEOUT_MS,
  );

  test(
    "a revoked refresh token makes the call provider_unavailable, naming hangar auth login",
    async () => {
      await using setUp = await oauthSetUp();
      const { world, box } = setUp;
      expect((await signIn(box)).code).toBe(0);
      const { path, record } = storedRecord(box);
      await world.revokeRefreshToken(record.tokens.refresh_token ?? "");
      record.tokens.access_token = "no-longer-accepted";
      writeFileSync(path, JSON.stringify(record), { mode: 0o600 });

      const call = await callRemote(box);
      expect(call.code).toBe(1);
      const { error } = JSON.parse(call.stdout).results[0];
      expect(error.type).toBe("provider_unavailable");
      expect(error.message).toContain("run `hangar auth login remote`");
      expect(error.message).toContain("invalid_grant");
    },
    TIMEOUT_MS,
  );

  test(
    "an authorization response whose iss names another server is refused and nothing is stored",
    async () => {
      await using setUp = await oauthSetUp();
      const { box } = setUp;
      const login = await signIn(box, (callback) => {
        const forged = new URL(callback);
        forged.searchParams.set("iss", "https://attacker.example");
        return forged;
      });
      expect(login.code).toBe(1);
      expect(login.stderr).toContain("RFC 9207");
      expect(login.stderr).not.toContain("attacker.example");
      expect(login.page).toContain("Hangar could not sign in");
      expect(login.page).not.toContain("attacker.example");
      expect(() => readdirSync(tokensDir(box))).toThrow();
    },
    TIMEOUT_MS,
  );

  test(
    "a provider without auth: oauth that answers 401 says to run hangar auth login",
    async () => {
      await using setUp = await oauthSetUp({}, "");
      const { box } = setUp;
      const call = await callRemote(box);
      expect(call.code).toBe(1);
      const { error } = JSON.parse(call.stdout).results[0];
      expect(error.type).toBe("provider_unavailable");
      expect(error.message).toContain("RFC 9728");
      expect(error.message).toContain("run `hangar auth login remote`");
    },
    TIMEOUT_MS,
  );

  test(
    "no token is ever in hangar's logs, status, doctor output or catalog cache",
    async () => {
      await using setUp = await oauthSetUp({ accessTokenTtlS: 2 });
      const { world, box } = setUp;
      const login = await signIn(box);
      expect(login.code).toBe(0);
      const first = storedRecord(box).record;
      await waitFor(() => Date.now() > (first.tokens.expires_at ?? 0) + 1000, 10_000, "the access token to expire");
      const call = await callRemote(box, ["--verbose"], { HANGAR_LOG_LEVEL: "debug" });
      expect(call.code).toBe(0);
      // `hangar serve` writes the catalog cache under $HANGAR_HOME/cache.
      const cacheDir = join(box.home, ".hangar", "cache");
      let serveLog = "";
      {
        await using session = await serve(box, { env: { HANGAR_LOG_LEVEL: "debug" } });
        const { batch } = await hangarCall(session, [{ provider: "remote", tool: "whoami" }]);
        expect(batch.results[0]?.ok).toBe(true);
        await waitFor(() => existsSync(cacheDir) && readdirSync(cacheDir).length > 0, 15_000, "the catalog cache");
        serveLog = session.stderr();
      }
      const status = await runHangar(["auth", "status"], box.options());
      const statusJson = await runHangar(["auth", "status", "--json"], box.options());
      const doctor = await runHangar(["doctor", "--no-clients", "--verbose"], box.options());
      expect(status.stdout).toContain("remote (auth: oauth): signed in to");
      expect(doctor.stdout).toMatch(/oauth.*signed in to/);

      const last = storedRecord(box).record;
      const secrets = new Set<string>([
        ...world.acceptedTokens,
        first.tokens.access_token,
        first.tokens.refresh_token ?? "",
        last.tokens.refresh_token ?? "",
        last.tokens.access_token,
      ]);
      secrets.delete("");
      expect(secrets.size).toBeGreaterThanOrEqual(4);
      const outputs = [login, call, status, statusJson, doctor].flatMap((run) => [run.stdout, run.stderr]);
      outputs.push(serveLog);
      const written = everythingWritten(box, outputs);
      for (const secret of secrets) expect(written.includes(secret)).toBe(false);
    },
    TIMEOUT_MS,
  );

  test(
    "with a Client ID Metadata Document the server accepts, its HTTPS URL is the client id and nothing registers",
    async () => {
      await using host = startTlsDocumentHost();
      await using setUp = await oauthSetUp({ clientIdMetadataDocuments: { ca: host.ca } });
      const { box } = setUp;
      const document = await runHangar(["auth", "client-metadata", host.url], box.options());
      expect(document.code).toBe(0);
      expect(JSON.parse(document.stdout)).toMatchObject({
        client_id: host.url,
        redirect_uris: ["http://127.0.0.1/callback"],
        token_endpoint_auth_method: "none",
      });
      host.serve(document.stdout);

      const login = await signIn(box, undefined, ["--client-metadata-url", host.url]);
      expect(login.code).toBe(0);
      expect(host.fetched()).toBeGreaterThan(0);
      expect(storedRecord(box).record.client.client_id).toBe(host.url);
      const call = await callRemote(box);
      expect(call.code).toBe(0);
    },
    TIMEOUT_MS,
  );

  test(
    "where the server does not accept Client ID Metadata Documents, login falls back to dynamic registration",
    async () => {
      await using host = startTlsDocumentHost();
      await using setUp = await oauthSetUp();
      const { box } = setUp;
      const login = await signIn(box, undefined, ["--client-metadata-url", host.url]);
      expect(login.code).toBe(0);
      expect(host.fetched()).toBe(0);
      expect(storedRecord(box).record.client.client_id).not.toBe(host.url);
    },
    TIMEOUT_MS,
  );

  test(
    "hangar doctor fails the oauth check of a provider that is not signed in, naming hangar auth login",
    async () => {
      await using setUp = await oauthSetUp();
      const { box } = setUp;
      const doctor = await runHangar(["doctor", "--no-clients", "--json"], box.options());
      expect(doctor.code).toBe(1);
      const checks = JSON.parse(doctor.stdout).checks as {
        subject: string;
        name: string;
        status: string;
        fix?: string;
      }[];
      const oauth = checks.find((c) => c.subject === "remote" && c.name === "oauth");
      expect(oauth?.status).toBe("fail");
      expect(oauth?.fix).toBe("run `hangar auth login remote`");
    },
    TIMEOUT_MS,
  );

  test(
    "hangar auth logout revokes the sign-in and deletes its file",
    async () => {
      await using setUp = await oauthSetUp();
      const { world, box } = setUp;
      expect((await signIn(box)).code).toBe(0);
      const { record } = storedRecord(box);
      const logout = await runHangar(["auth", "logout", "remote"], box.options());
      expect(logout.code).toBe(0);
      expect(logout.stdout).toContain("revoked at the authorization server");
      expect(readdirSync(tokensDir(box))).toEqual([]);
      await expect(world.revokeRefreshToken(record.tokens.refresh_token ?? "")).rejects.toThrow();
      const status = await runHangar(["auth", "status"], box.options());
      expect(status.stdout).toContain("remote (auth: oauth): not signed in — run `hangar auth login remote`");
    },
    TIMEOUT_MS,
  );
});
