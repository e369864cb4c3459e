/**
 * `hangar __group-exec <dir> <path> [args…]`: puts this process in a process group of its own
 * (`setpgid(0, 0)`), moves to `dir` (`chdir`), then becomes `path` (`execv`, keeping the pid, the stdio and
 * the environment). It is started in `/`, not in `dir`, so that no `bunfig.toml` or `.env` of the
 * provider's folder is read by Bun on the way (a `preload` there would run in it). The spawner runs a
 * provider through it so the provider leads its own group, as it must for the group signals and the
 * watchdog, without `setsid()` — which is all Bun's `detached` offers, and which on Linux also gives each
 * provider a scheduling autogroup of its own, away from hangar's (bench/README.md, "stop 11").
 * Bun only (`bun:ffi`); loaded by nothing else.
 */
import { dlopen, FFIType, ptr } from "bun:ffi";

/** The C library's file names to try: glibc's, then musl's. */
const LIBC = ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`];

function openLibc() {
  for (const name of LIBC) {
    try {
      return dlopen(name, {
        setpgid: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
        chdir: { args: [FFIType.ptr], returns: FFIType.i32 },
        execv: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
      });
    } catch {
      // The next name.
    }
  }
  return undefined;
}

const cString = (text: string) => Buffer.from(`${text}\0`);

/**
 * In folder `dir`, becomes `argv[0]` with `argv`, in a process group of its own; returns only to exit with
 * 126 if it cannot.
 */
export function groupExec([dir, ...argv]: readonly string[]): never {
  const libc = openLibc();
  const path = argv[0];
  if (libc !== undefined && dir !== undefined && path !== undefined && libc.symbols.chdir(ptr(cString(dir))) === 0) {
    // A failed setpgid leaves it in hangar's group: the group signals then reach it by its pid alone.
    libc.symbols.setpgid(0, 0);
    const strings = argv.map(cString);
    const pointers = new BigUint64Array(strings.length + 1);
    for (const [i, bytes] of strings.entries()) pointers[i] = BigInt(ptr(bytes));
    libc.symbols.execv(ptr(strings[0]!), ptr(pointers));
  }
  process.stderr.write(`hangar: cannot run ${JSON.stringify(path ?? "")} in ${JSON.stringify(dir ?? "")}\n`);
  process.exit(126);
}

if (import.meta.main) groupExec(process.argv.slice(2));
