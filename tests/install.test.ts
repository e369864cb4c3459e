// install.sh and scripts/release.sh end to end: a host-only release served over local HTTP and installed
// the way `curl -fsSL …/install.sh | bash` does it, a tampered download refused, and a source install.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { outputOf } from "./helpers/processes.ts";

const root = join(import.meta.dir, "..");
const installScript = join(root, "install.sh");
const { version } = (await Bun.file(join(root, "package.json")).json()) as { version: string };
const hostFile = `hangar-${process.platform === "win32" ? "windows" : process.platform}-${process.arch}${
  process.platform === "win32" ? ".exe" : ""
}`;
const TIMEOUT_MS = 120_000;

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temp directory, removed after the file's tests. */
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `hangar-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs cmd to completion; `stdin` is a file fed to it, as `curl … | bash` feeds the script. */
async function run(cmd: string[], env: Record<string, string> = {}, stdin?: string): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("HANGAR_")),
  ) as Record<string, string>;
  await using proc = Bun.spawn(cmd, {
    cwd: root,
    env: { ...inherited, ...env },
    stdin: stdin === undefined ? "ignore" : Bun.file(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const { stdout, stderr, code } = await outputOf(proc);
  return { code, stdout, stderr };
}

/** Environment for install.sh that keeps it away from the real ~/.hangar. */
async function installEnv(extra: Record<string, string>): Promise<{ env: Record<string, string>; dir: string }> {
  const home = await tempDir("home");
  const dir = join(await tempDir("install"), "bin");
  return { dir, env: { HOME: home, HANGAR_INSTALL_DIR: dir, ...extra } };
}

let release: Promise<string> | undefined;
/** The host-only release folder that scripts/release.sh builds, built once for all tests. */
function releaseDir(): Promise<string> {
  release ??= (async () => {
    const out = await tempDir("release");
    const result = await run(["bash", "scripts/release.sh", "--targets", "host", "--out", out]);
    if (result.code !== 0) throw new Error(`scripts/release.sh failed:\n${result.stderr}`);
    return out;
  })();
  return release;
}

/**
 * Serves a release folder at / (latest) and /v<version>/ (a named release); `overrides` replaces files
 * by name. Records every requested path.
 */
function serveRelease(dir: string, overrides: Record<string, Uint8Array<ArrayBuffer> | string> = {}) {
  const requested: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const path = new URL(request.url).pathname;
      requested.push(path);
      const name = path.replace(new RegExp(`^/v${version.replaceAll(".", "\\.")}/`), "/").slice(1);
      if (name.includes("/") || name === "") return new Response("not found", { status: 404 });
      const override = overrides[name];
      if (override !== undefined) return new Response(override);
      const file = join(dir, name);
      return existsSync(file) ? new Response(Bun.file(file)) : new Response("not found", { status: 404 });
    },
  });
  return { server, requested, url: `http://127.0.0.1:${server.port}` };
}

function sha256(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

test(
  "issue 9 #32: release.sh builds the host binary, copies install.sh, and writes a SHA256SUMS covering both",
  async () => {
    const dir = await releaseDir();
    const sums = await readFile(join(dir, "SHA256SUMS"), "utf8");
    const bytes = await Bun.file(join(dir, hostFile)).bytes();
    const script = await Bun.file(join(dir, "install.sh")).bytes();
    expect(script).toEqual(await Bun.file(installScript).bytes());
    expect(sums).toBe(`${sha256(bytes)}  ${hostFile}\n${sha256(script)}  install.sh\n`);
  },
  TIMEOUT_MS,
);

test(
  "issue 9 #32: the README's one-liner, curl -fsSL $BASE/install.sh | HANGAR_DOWNLOAD_URL=$BASE bash, installs the release",
  async () => {
    const { server, url, requested } = serveRelease(await releaseDir());
    using _server = server;
    const { env, dir } = await installEnv({});
    const readme = await readFile(join(root, "README.md"), "utf8");
    expect(readme).toContain(
      "curl -fsSL https://github.com/mapyr/mcp-hangar/releases/latest/download/install.sh \\| bash",
    );

    const result = await run(["bash", "-c", `curl -fsSL ${url}/install.sh | HANGAR_DOWNLOAD_URL=${url} bash`], env);

    expect(result.stderr).not.toContain("Error:");
    expect(result.code).toBe(0);
    expect(requested).toEqual(["/install.sh", `/${hostFile}`, "/SHA256SUMS"]);
    const versionRun = await run([join(dir, "hangar"), "--version"]);
    expect(versionRun.stdout).toContain(version);
  },
  TIMEOUT_MS,
);

/**
 * A copy of the checkout as a fresh clone has it: the files git tracks or would track, no node_modules,
 * no dist. Its .cache/bun holds the Bun running the tests, where scripts/ensure-bun.sh would install one,
 * so that the scripts need not download Bun.
 */
async function cleanCheckout(): Promise<string> {
  const copy = await tempDir("clone");
  // Only regular files: a worktree may link node_modules in, which git lists as an untracked file.
  const files = (await run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"])).stdout
    .split("\0")
    .filter((file) => file !== "" && existsSync(join(root, file)) && statSync(join(root, file)).isFile());
  for (const file of files) await Bun.write(join(copy, file), Bun.file(join(root, file)));
  const cachedBun = join(copy, ".cache", "bun", "node_modules", ".bin", "bun");
  mkdirSync(dirname(cachedBun), { recursive: true });
  symlinkSync(process.execPath, cachedBun);
  return copy;
}

test(
  "issue 9 #31, #33: `npm run build` in a clean checkout finds Bun off PATH and installs only what the build needs",
  async () => {
    const copy = await cleanCheckout();
    const path = (process.env.PATH ?? "")
      .split(":")
      .filter((entry) => entry !== "" && !existsSync(join(entry, "bun")))
      .join(":");
    await using proc = Bun.spawn(["npm", "run", "build"], {
      cwd: copy,
      env: { ...process.env, PATH: path },
      stdout: "pipe",
      stderr: "pipe",
    });
    const { stdout, stderr, code } = await outputOf(proc);
    expect(`${stdout}${stderr}`).toContain("Built dist/hangar");
    expect(code).toBe(0);
    expect((await run([join(copy, "dist", "hangar"), "--version"])).stdout).toContain(version);
    expect(existsSync(join(copy, "node_modules", "@modelcontextprotocol", "server"))).toBe(true);
    const devs = ["@modelcontextprotocol/inspector", "@modelcontextprotocol/conformance", "@modelcontextprotocol/sdk"];
    for (const dev of [...devs, "mcp-hub", "typescript"])
      expect(existsSync(join(copy, "node_modules", dev))).toBe(false);
  },
  TIMEOUT_MS,
);

test(
  "`npm pack` after ./install.sh's production-only install gets the devDependencies build-lib needs",
  async () => {
    const copy = await cleanCheckout();
    // The install scripts/build.sh runs when ./install.sh builds from source: no typescript, no @types/bun.
    await using install = Bun.spawn([process.execPath, "install", "--frozen-lockfile", "--production"], {
      cwd: copy,
      stdout: "pipe",
      stderr: "pipe",
    });
    expect((await outputOf(install)).code).toBe(0);
    expect(existsSync(join(copy, "node_modules", "typescript"))).toBe(false);

    // --dry-run still runs prepack (scripts/build-lib.sh), which type-checks and writes the declarations.
    await using pack = Bun.spawn(["npm", "pack", "--dry-run"], { cwd: copy, stdout: "pipe", stderr: "pipe" });
    const { stdout, stderr, code } = await outputOf(pack);
    expect(`${stdout}${stderr}`).not.toContain("error TS");
    expect(`${stdout}${stderr}`).toContain("Built dist/lib");
    expect(code).toBe(0);
    expect(existsSync(join(copy, "dist", "lib", "types", "lib", "index.d.ts"))).toBe(true);
  },
  TIMEOUT_MS,
);

test("issue 9 #31: every npm script finds Bun itself, and npm prints no update notice after `npm test`", async () => {
  const { scripts } = (await Bun.file(join(root, "package.json")).json()) as { scripts: Record<string, string> };
  for (const [name, line] of Object.entries(scripts))
    expect([name, line]).toEqual([name, expect.stringMatching(/^bash scripts\//)]);
  const home = await tempDir("npm-home");
  await Bun.write(join(home, ".npmrc"), "update-notifier=true\n");
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_config_")),
  );
  const setting = Bun.spawnSync(["npm", "config", "get", "update-notifier"], {
    cwd: root,
    env: { ...env, HOME: home },
  });
  expect(setting.stdout.toString().trim()).toBe("false");
});

test(
  "install.sh piped to bash downloads the release, verifies it and installs a working hangar",
  async () => {
    const { server, url, requested } = serveRelease(await releaseDir());
    using _server = server;
    const { env, dir } = await installEnv({ HANGAR_INSTALL_FROM: "release", HANGAR_DOWNLOAD_URL: url });

    const result = await run(["bash", "-s"], env, installScript);

    expect(result.stderr).not.toContain("Error:");
    expect(result.code).toBe(0);
    expect(requested).toEqual([`/${hostFile}`, "/SHA256SUMS"]);
    const installed = join(dir, "hangar");
    expect(statSync(installed).mode & 0o111).not.toBe(0);
    expect(result.stdout).toContain(`to ${installed}`);
    expect(result.stdout).toContain(`export PATH="${dir}:$PATH"`);
    expect(existsSync(join(env.HOME!, ".hangar"))).toBe(false);
    const versionRun = await run([installed, "--version"]);
    expect(versionRun.code).toBe(0);
    expect(versionRun.stdout).toContain(version);
  },
  TIMEOUT_MS,
);

test(
  "install.sh refuses a binary whose checksum does not match and installs nothing",
  async () => {
    const dir0 = await releaseDir();
    const tampered = await Bun.file(join(dir0, hostFile)).bytes();
    tampered[tampered.length >> 1]! ^= 0xff;
    const { server, url } = serveRelease(dir0, { [hostFile]: tampered });
    using _server = server;
    const { env, dir } = await installEnv({ HANGAR_INSTALL_FROM: "release", HANGAR_DOWNLOAD_URL: url });

    const result = await run(["bash", "-s"], env, installScript);

    expect(result.code).not.toBe(0);
    expect(result.stderr.toLowerCase()).toContain("checksum did not match");
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  },
  TIMEOUT_MS,
);

test(
  "install.sh refuses a named release whose SHA256SUMS has no line for the binary",
  async () => {
    const { server, url, requested } = serveRelease(await releaseDir(), {
      SHA256SUMS: `${"0".repeat(64)}  hangar-plan9-x64\n`,
    });
    using _server = server;
    const { env, dir } = await installEnv({
      HANGAR_INSTALL_FROM: "release",
      HANGAR_DOWNLOAD_URL: url,
      HANGAR_VERSION: version,
    });

    const result = await run(["bash", "-s"], env, installScript);

    expect(result.code).not.toBe(0);
    expect(requested).toEqual([`/v${version}/${hostFile}`, `/v${version}/SHA256SUMS`]);
    expect(result.stderr).toContain(`SHA256SUMS has no entry for ${hostFile}`);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  },
  TIMEOUT_MS,
);

test(
  "install.sh from a checkout builds from source and installs hangar, again without harm, and says how to add it to Claude Code",
  async () => {
    const { env, dir } = await installEnv({ HANGAR_INSTALL_FROM: "source" });

    for (let i = 0; i < 2; i++) {
      const result = await run(["bash", installScript], env);
      expect(result.stderr).not.toContain("Error:");
      expect(result.code).toBe(0);
      expect(`${result.stdout}${result.stderr}`).toContain(
        `claude mcp add --scope user hangar -- ${join(dir, "hangar")} serve`,
      );
    }

    expect(readdirSync(dir)).toEqual(["hangar"]);
    const versionRun = await run([join(dir, "hangar"), "--version"]);
    expect(versionRun.code).toBe(0);
    expect(versionRun.stdout).toContain(version);
  },
  TIMEOUT_MS,
);
