import { spawn } from "node:child_process";
import {
  type AuthStatusRow,
  authStatus,
  clientMetadataDocument,
  findRecord,
  LoginError,
  login,
  readRecords,
  removeRecord,
  type StoredRecord,
  tokensDir,
} from "../../auth/index.ts";
import { loadConfig, type ResolvedConfig } from "../../config/index.ts";
import { messageOf, UsageError } from "../../errors.ts";
import { closest } from "../../gateway/closest.ts";
import { ENV } from "../../knobs.ts";
import { linkSignals } from "../../scheduler/index.ts";
import { selfCommand } from "../../self-command.ts";
import type { GlobalOptions } from "../context.ts";
import { watchLifecycle } from "../lifecycle.ts";
import { writeOut } from "../write-out.ts";

/** Options of `hangar auth login`. */
export interface AuthLoginOptions {
  /** False with `--no-browser`: only print the URL. */
  browser: boolean;
  clientMetadataUrl?: string;
  /** A client id registered with the authorization server beforehand; its secret from the environment. */
  clientId?: string;
  timeoutS: number;
}

/** `hangar auth login <provider>`: signs in in the browser and stores the tokens. Exit 0, or 1 when refused. */
export async function runAuthLogin(providerId: string, options: AuthLoginOptions, global: GlobalOptions) {
  const config = await loadProviders(global);
  const url = remoteUrl(config, providerId);
  const lifecycle = watchLifecycle({ followParent: false });
  const deadline = AbortSignal.timeout(options.timeoutS * 1000);
  const signal = linkSignals([lifecycle.signal, deadline]);
  try {
    const clientMetadataUrl = options.clientMetadataUrl ?? process.env[ENV.oauthClientMetadataUrl];
    const { path, record } = await login({
      providerId,
      serverUrl: url,
      say: (line) => process.stderr.write(`${line}\n`),
      ...(options.browser ? { openBrowser } : {}),
      ...(clientMetadataUrl ? { clientMetadataUrl } : {}),
      ...(options.clientId ? { preRegistered: preRegistered(options.clientId) } : {}),
      signal: signal.signal,
    });
    const expires = record.tokens.expires_at ? new Date(record.tokens.expires_at).toISOString() : "not said";
    await writeOut(
      `Signed in to "${providerId}": issuer ${record.issuer}, resource ${record.resource}, ` +
        `access token expires ${expires}, refresh token ${record.tokens.refresh_token ? "yes" : "no"}.\n` +
        `Stored in ${path} (mode 0600).\n`,
    );
    return 0;
  } catch (error) {
    if (deadline.aborted) {
      throw new LoginError(
        `No sign-in came back within ${options.timeoutS} s; run \`hangar auth login ${providerId}\` again`,
      );
    }
    throw error;
  } finally {
    signal.dispose();
    lifecycle.dispose();
  }
}

/** A client registered beforehand: its id, and its secret from `$HANGAR_OAUTH_CLIENT_SECRET` when set. */
function preRegistered(clientId: string): { client_id: string; client_secret?: string } {
  const secret = process.env[ENV.oauthClientSecret];
  return { client_id: clientId, ...(secret ? { client_secret: secret } : {}) };
}

/** `hangar auth client-metadata <url>`: prints the Client ID Metadata Document to host at `url`. */
export async function runAuthClientMetadata(url: string): Promise<number> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a URL; give the HTTPS URL the document will be served at`);
  }
  if (parsed.protocol !== "https:" || parsed.pathname === "/") {
    throw new UsageError(
      `"${url}" cannot be a client id: it must be an https:// URL with a path (e.g. https://example.com/hangar.json)`,
    );
  }
  await writeOut(`${JSON.stringify(clientMetadataDocument(parsed.href), null, 2)}\n`);
  return 0;
}

/** `hangar auth status`: each `url:` provider's sign-in, without its tokens. */
export async function runAuthStatus(options: { json?: boolean }, global: GlobalOptions): Promise<number> {
  const config = await loadProviders(global);
  const dir = tokensDir();
  const rows = await authStatus(config, dir, Date.now());
  if (options.json) {
    await writeOut(`${JSON.stringify({ tokens_dir: dir, providers: rows }, null, 2)}\n`);
    return 0;
  }
  const lines = rows.length === 0 ? ["No `url:` providers in the config."] : rows.map(statusLine);
  await writeOut(`${lines.join("\n")}\nSign-ins are stored in ${dir}.\n`);
  return 0;
}

/** `hangar auth logout [provider]`: forgets one provider's sign-in (or every one), revoking it where it can. */
export async function runAuthLogout(providerId: string | undefined, global: GlobalOptions): Promise<number> {
  const dir = tokensDir();
  let records: StoredRecord[];
  if (providerId === undefined) {
    records = await readRecords(dir);
  } else {
    const config = await loadProviders(global);
    const found = await findRecord(dir, remoteUrl(config, providerId));
    records = found ? [found] : [];
  }
  if (records.length === 0) {
    await writeOut(providerId ? `"${providerId}" is not signed in.\n` : "No sign-ins are stored.\n");
    return 0;
  }
  const lines: string[] = [];
  for (const stored of records) {
    const revoked = await revoke(stored);
    await removeRecord(stored.path);
    lines.push(`Signed out of "${stored.record.provider}" (${stored.record.issuer}); ${revoked}.`);
  }
  await writeOut(`${lines.join("\n")}\n`);
  return 0;
}

function statusLine(row: AuthStatusRow): string {
  const head = `${row.provider}${row.mode === "oauth" ? " (auth: oauth)" : ""}`;
  switch (row.state) {
    case "signed-out":
      return `${head}: not signed in${row.mode === "oauth" ? ` — run \`hangar auth login ${row.provider}\`` : ""}`;
    case "signed-in":
      return `${head}: signed in to ${row.issuer} for ${row.resource}; access token valid until ${row.expires_at ?? "(not said)"}; refresh token ${row.refresh_token ? "yes" : "no"}`;
    case "expired":
      return `${head}: signed in to ${row.issuer}; access token expired ${row.expires_at}, refreshed on next use`;
    case "expired-no-refresh":
      return `${head}: sign-in to ${row.issuer} expired ${row.expires_at} and cannot be refreshed — run \`hangar auth login ${row.provider}\``;
  }
}

async function loadProviders(global: GlobalOptions): Promise<ResolvedConfig> {
  const config = await loadConfig({ ...(global.config ? { path: global.config } : {}), selfCommand: selfCommand() });
  if (config.source.kind === "demo")
    throw new UsageError(
      "No config found: `hangar auth` works on a config file's `url:` providers (see `hangar init`)",
    );
  return config;
}

function remoteUrl(config: ResolvedConfig, providerId: string): string {
  const provider = config.providers.find((p) => p.id === providerId);
  if (provider === undefined) {
    const ids = config.providers.map((p) => p.id);
    const guess = closest(providerId, ids);
    throw new UsageError(
      `Unknown provider "${providerId}".${guess ? ` Did you mean "${guess}"?` : ` Known providers: ${ids.join(", ") || "none"}.`}`,
    );
  }
  if (provider.transport.kind !== "http") {
    throw new UsageError(`Provider "${providerId}" is not a remote (\`url:\`) provider; only those sign in with OAuth`);
  }
  return provider.transport.url;
}

/** Asks the authorization server to revoke the refresh token (RFC 7009), best effort; says what happened. */
async function revoke({ record }: StoredRecord): Promise<string> {
  const endpoint = record.authorization_server.revocation_endpoint;
  const token = record.tokens.refresh_token ?? record.tokens.access_token;
  if (endpoint === undefined) return "the authorization server offers no revocation, so only the local copy is gone";
  try {
    const body = new URLSearchParams({
      token,
      token_type_hint: record.tokens.refresh_token ? "refresh_token" : "access_token",
      client_id: record.client.client_id,
    });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (record.client.client_secret) {
      headers.authorization = `Basic ${btoa(`${encodeURIComponent(record.client.client_id)}:${encodeURIComponent(record.client.client_secret)}`)}`;
      body.delete("client_id");
    }
    const response = await fetch(endpoint, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.ok ? "revoked at the authorization server" : `revocation answered ${response.status}`;
  } catch (error) {
    return `revocation failed (${messageOf(error)})`;
  }
}

/** Opens `url` in the user's browser with the platform's opener; a missing opener is not an error. */
function openBrowser(url: string): void {
  const [command, ...args] =
    process.platform === "darwin"
      ? ["open", url]
      : process.platform === "win32"
        ? ["cmd", "/c", "start", "", url]
        : ["xdg-open", url];
  try {
    const child = spawn(command as string, args, { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // No opener: the URL is printed.
  }
}
