// A real container runtime for the end-to-end tests: the docker client and a daemon (started here when
// dockerd is installed but not running, and stopped again by `stop()`), and an image built from local
// files only — no registry is needed: `docker import` of a root filesystem holding dist/hangar, `sh`,
// `sleep` and the libraries `ldd` lists for them, tagged by a hash of those files so it is built once.
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DIST_HANGAR } from "./paths.ts";
import { outputOf } from "./processes.ts";

/** The result of a docker command. */
export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A usable runtime: run docker commands; `stop()` stops the daemon if this helper started it. */
export interface ContainerRuntime {
  readonly available: true;
  /** Whether this helper started the daemon (and `stop()` will stop it). */
  readonly startedDaemon: boolean;
  docker(args: readonly string[], stdin?: string): Promise<DockerResult>;
  stop(): Promise<void>;
}

/** No runtime here, and why. */
export interface NoRuntime {
  readonly available: false;
  readonly reason: string;
}

/** The PATH to look for docker and dockerd on (sbin included: dockerd lives in /usr/sbin). */
const SEARCH_PATH = [process.env.PATH ?? "", "/usr/local/sbin", "/usr/sbin", "/sbin"].join(":");

async function run(argv: readonly string[], stdin?: string, timeoutMs = 60_000): Promise<DockerResult> {
  const proc = Bun.spawn([...argv], {
    stdin: stdin === undefined ? "ignore" : new Blob([stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const { stdout, stderr, code } = await outputOf(proc);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Whether the docker client can talk to a daemon. */
async function daemonAnswers(docker: string): Promise<boolean> {
  return (await run([docker, "info", "--format", "{{.ServerVersion}}"], undefined, 10_000)).code === 0;
}

/**
 * Finds a container runtime, starting `dockerd` when it is installed but not running (ready within
 * 30 s or it counts as not startable). Never throws: a runtime that cannot be had is a `NoRuntime`.
 */
export async function containerRuntime(): Promise<ContainerRuntime | NoRuntime> {
  const docker = Bun.which("docker", { PATH: SEARCH_PATH });
  if (docker === null) return { available: false, reason: "no `docker` client on PATH (apt-get install docker.io)" };
  const runtime = (startedDaemon: boolean, stop: () => Promise<void>): ContainerRuntime => ({
    available: true,
    startedDaemon,
    docker: (args, stdin) => run([docker, ...args], stdin),
    stop,
  });
  if (await daemonAnswers(docker)) return runtime(false, async () => {});

  const dockerd = Bun.which("dockerd", { PATH: SEARCH_PATH });
  if (dockerd === null)
    return { available: false, reason: "the docker daemon is not running and `dockerd` is not installed" };
  const logPath = join(mkdtempSync(join(tmpdir(), "hangar-dockerd-")), "dockerd.log");
  const log = openSync(logPath, "w");
  const daemon = Bun.spawn([dockerd], { stdin: "ignore", stdout: log, stderr: log });
  const stop = async () => {
    if (daemon.exitCode !== null || daemon.signalCode !== null) return;
    daemon.kill("SIGTERM");
    const timer = setTimeout(() => daemon.kill("SIGKILL"), 15_000);
    await daemon.exited;
    clearTimeout(timer);
  };
  for (let waited = 0; waited < 30_000; waited += 200) {
    if (daemon.exitCode !== null) break;
    if (await daemonAnswers(docker)) return runtime(true, stop);
    await Bun.sleep(200);
  }
  await stop();
  const tail = readFileSync(logPath, "utf8").trim().split("\n").slice(-3).join(" | ");
  return { available: false, reason: `\`dockerd\` could not be started: ${tail || "no output"}` };
}

/** The shared libraries `ldd` lists for `binary` (absolute paths). */
async function librariesOf(binary: string): Promise<string[]> {
  const { stdout } = await run(["ldd", binary]);
  const libs: string[] = [];
  for (const line of stdout.split("\n")) {
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (match) libs.push(match[1]!);
  }
  return libs;
}

/** The programs the test image holds, at these paths inside it, from these files here. */
function imageFiles(): Record<string, string> {
  return {
    "/hangar": DIST_HANGAR,
    "/bin/sh": Bun.which("sh") ?? "/bin/sh",
    "/bin/sleep": Bun.which("sleep") ?? "/bin/sleep",
  };
}

/**
 * An image with `/hangar` (the compiled binary, which runs `hangar demo-provider`), `/bin/sh` and
 * `/bin/sleep`, imported from a local root filesystem; reused while those files are unchanged.
 */
export async function testImage(runtime: ContainerRuntime): Promise<string> {
  const files = imageFiles();
  const hasher = new Bun.CryptoHasher("sha256");
  for (const [inside, source] of Object.entries(files)) {
    hasher.update(inside);
    hasher.update(readFileSync(source));
  }
  const tag = `hangar-e2e:${hasher.digest("hex").slice(0, 16)}`;
  if ((await runtime.docker(["image", "inspect", tag])).code === 0) return tag;

  const root = mkdtempSync(join(tmpdir(), "hangar-rootfs-"));
  try {
    const place = (inside: string, source: string) => {
      mkdirSync(join(root, dirname(inside)), { recursive: true });
      copyFileSync(source, join(root, inside));
    };
    for (const [inside, source] of Object.entries(files)) {
      place(inside, source);
      for (const lib of await librariesOf(source)) place(lib, lib);
    }
    for (const dir of ["tmp", "data", "proc", "sys", "dev", "etc"]) mkdirSync(join(root, dir), { recursive: true });
    const imported = await run([
      "bash",
      "-c",
      'tar -C "$1" -cf - . | "$2" import - "$3"',
      "import",
      root,
      docker(),
      tag,
    ]);
    if (imported.code !== 0) throw new Error(`docker import failed: ${imported.stderr.trim()}`);
    // Images of earlier binaries are of no more use: keep one.
    const { stdout } = await runtime.docker(["images", "hangar-e2e", "--format", "{{.Repository}}:{{.Tag}}"]);
    const stale = stdout.split("\n").filter((name) => name !== "" && name !== tag);
    if (stale.length > 0) await runtime.docker(["rmi", ...stale]);
    return tag;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function docker(): string {
  return Bun.which("docker", { PATH: SEARCH_PATH }) ?? "docker";
}

/** Names of the containers (running or not) whose name starts with `prefix`. */
export async function containersNamed(runtime: ContainerRuntime, prefix: string): Promise<string[]> {
  const { stdout } = await runtime.docker(["ps", "-a", "--format", "{{.Names}}"]);
  return stdout.split("\n").filter((name) => name.startsWith(prefix));
}
