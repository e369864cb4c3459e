/**
 * Checks made before a provider is started: its command is on PATH (and its cwd exists), docker is there
 * and has the image, or its URL's host accepts a connection. A failed preflight says how to fix it.
 */
import { access, constants, stat } from "node:fs/promises";
import { connect } from "node:net";
import { type EnvPolicy, HANGAR_SECRETS, type ProviderTransport, type ResolvedProvider } from "../config/index.ts";
import { messageOf } from "../errors.ts";
import { childEnv, urlShown } from "../providers/index.ts";
import { runToEnd, which } from "../runtime/index.ts";
import { checkSignIn } from "./auth-check.ts";
import { type Check, check } from "./check.ts";

/** Where a program that is often missing comes from. */
const INSTALL_HINTS: Readonly<Record<string, string>> = {
  npx: "install Node.js (it brings npx)",
  node: "install Node.js",
  uvx: "install uv (https://docs.astral.sh/uv/, it brings uvx)",
  uv: "install uv (https://docs.astral.sh/uv/)",
  docker: "install Docker",
  bunx: "install Bun",
  python: "install Python",
  python3: "install Python",
};

/** The preflight checks of one provider; `env` is the environment it would inherit. */
export async function preflight(
  provider: ResolvedProvider,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Check[]> {
  const t = provider.transport;
  switch (t.kind) {
    case "stdio":
      return [...(await commandChecks(provider.id, t, env)), ...envCheck(provider.id, t, env)];
    case "docker":
      return [...(await dockerChecks(provider.id, t, env)), ...envCheck(provider.id, t, env)];
    case "http": {
      const signIn = await checkSignIn(provider, env);
      return [await reachable(provider.id, t.url), ...(signIn ? [signIn] : [])];
    }
  }
}

/**
 * What the provider's process does not get of hangar's environment, when that is anything (names only,
 * never values): hangar's secrets and other providers' variables that are set, and a narrowing env_inherit.
 */
function envCheck(
  id: string,
  t: EnvPolicy & { readonly env: Readonly<Record<string, string>> },
  env: Readonly<Record<string, string | undefined>>,
): Check[] {
  const held = [...HANGAR_SECRETS, ...(t.envWithheld ?? [])].filter(
    (name) => env[name] !== undefined && !Object.hasOwn(t.env, name),
  );
  const inherit = t.envInherit ?? "all";
  const parts: string[] = [];
  if (inherit === "none") parts.push("inherits none of hangar's environment (env_inherit: none)");
  else if (inherit !== "all") parts.push(`inherits only ${inherit.join(", ") || "nothing"} of hangar's environment`);
  if (held.length > 0)
    parts.push(`does not inherit ${held.join(", ")} (hangar's own secrets, or handed to another provider)`);
  if (parts.length === 0) return [];
  const how = 'give it a variable with `env: { NAME: "${NAME}" }`';
  return [check("provider", id, "env", "info", `it ${parts.join("; it ")}; ${how}`)];
}

async function commandChecks(
  id: string,
  t: Extract<ProviderTransport, { kind: "stdio" }>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Check[]> {
  const checks: Check[] = [];
  if (t.cwd !== undefined && !(await stat(t.cwd).catch(() => undefined))?.isDirectory()) {
    checks.push(
      check("provider", id, "cwd", "fail", `its cwd ${t.cwd} is not a directory`, { fix: "create it, or fix `cwd`" }),
    );
  }
  // Where the spawner looks: the provider's own PATH, else hangar's.
  const path = childEnv(env, t).PATH ?? env.PATH ?? "";
  if (t.command.includes("/")) {
    const runnable = await access(t.command, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (runnable) checks.push(check("provider", id, "command", "ok", `command ${t.command} exists`));
    else
      checks.push(
        check("provider", id, "command", "fail", `command ${t.command} does not exist or is not executable`, {
          fix: "fix the path in `command`, or `chmod +x` it",
        }),
      );
    return checks;
  }
  const found = which(t.command, { PATH: path, ...(t.cwd ? { cwd: t.cwd } : {}) });
  if (found) checks.push(check("provider", id, "command", "ok", `command "${t.command}" found at ${found}`));
  else {
    const hint = INSTALL_HINTS[t.command] ?? `install "${t.command}"`;
    checks.push(
      check("provider", id, "command", "fail", `command "${t.command}" not found on PATH`, {
        fix: `${hint}, or give its full path in \`command\``,
      }),
    );
  }
  return checks;
}

async function dockerChecks(
  id: string,
  t: Extract<ProviderTransport, { kind: "docker" }>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Check[]> {
  const image = t.image;
  // The docker client runs with what the provider's `docker run` would get.
  const dockerEnv = childEnv(env, t);
  const docker = which("docker", { PATH: dockerEnv.PATH ?? env.PATH ?? "" });
  if (!docker)
    return [
      check("provider", id, "docker", "fail", "docker is not on PATH", {
        fix: "install Docker, or run the server with `command` instead of `image`",
      }),
    ];
  const checks = [check("provider", id, "docker", "ok", `docker found at ${docker}`)];
  const { code, stderr } = await runToEnd([docker, "image", "inspect", "--format", "{{.Id}}", image], {
    env: dockerEnv,
    timeoutMs: 15_000,
  });
  if (code === 0) checks.push(check("provider", id, "image", "ok", `image ${image} is present`));
  // "Error response from daemon: No such image" names the daemon too: it answered, the image is missing.
  else if (!/no such image/i.test(stderr) && /daemon|connect|permission denied/i.test(stderr)) {
    checks.push(
      check("provider", id, "image", "fail", `docker cannot reach its daemon: ${firstLine(stderr)}`, {
        fix: "start Docker (or add your user to the docker group)",
      }),
    );
  } else {
    const message = `image ${image} is not pulled yet; the first start pulls it and may take longer than startup_timeout_s`;
    checks.push(check("provider", id, "image", "warn", message, { fix: `docker pull ${image}` }));
  }
  return checks;
}

/** Whether the URL's host accepts a TCP connection (5 s at most); names only its scheme and host (`urlShown`). */
async function reachable(id: string, url: string): Promise<Check> {
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol === "https:" ? 443 : 80));
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  const where = urlShown(parsed);
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host, port, timeout: 5_000 });
      socket.once("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.once("timeout", () => {
        socket.destroy();
        reject(new Error("no answer within 5 s"));
      });
      socket.once("error", (error) => {
        socket.destroy();
        reject(error);
      });
    });
    return check("provider", id, "url", "ok", `${parsed.host} accepts connections`, {
      latency_ms: performance.now() - started,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === "ECONNREFUSED" ? "connection refused" : code === "ENOTFOUND" ? "no such host" : messageOf(error);
    const fix =
      code === "ENOTFOUND" ? "check the host name in `url`" : `start the server at ${parsed.host}, or fix \`url\``;
    return check("provider", id, "url", "fail", `Cannot reach ${where}: ${reason}`, { fix });
  }
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.slice(0, 200) ?? "";
}
