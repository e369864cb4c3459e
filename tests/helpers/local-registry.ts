// An npm registry on 127.0.0.1 that serves the packages of a node_modules tree (every version found in
// it, nested ones included), so `npm install` of a packed tarball gets its dependencies with no network:
// the project's own node_modules is the cache.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One package version found in node_modules, and where. */
interface Found {
  readonly dir: string;
  readonly manifest: Record<string, unknown>;
}

/** Every package version under `nodeModules` (scoped and nested included), by name then version. */
function scan(nodeModules: string, into = new Map<string, Map<string, Found>>()): Map<string, Map<string, Found>> {
  let entries: string[];
  try {
    entries = readdirSync(nodeModules);
  } catch {
    return into;
  }
  const dirs = entries.flatMap((entry) => {
    if (entry.startsWith(".")) return [];
    if (!entry.startsWith("@")) return [join(nodeModules, entry)];
    try {
      return readdirSync(join(nodeModules, entry)).map((name) => join(nodeModules, entry, name));
    } catch {
      return [];
    }
  });
  for (const dir of dirs) {
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    } catch {
      continue;
    }
    const { name, version } = manifest as { name?: string; version?: string };
    if (typeof name === "string" && typeof version === "string") {
      const versions = into.get(name) ?? new Map<string, Found>();
      if (!versions.has(version)) versions.set(version, { dir, manifest });
      into.set(name, versions);
    }
    scan(join(dir, "node_modules"), into);
  }
  return into;
}

/** The fields of a manifest that npm reads from a packument's version. */
const KEPT = [
  "name",
  "version",
  "dependencies",
  "optionalDependencies",
  "peerDependencies",
  "peerDependenciesMeta",
  "bin",
  "engines",
  "os",
  "cpu",
  "libc",
] as const;

/** A running local registry; stop it with `await using` or `stop()`. */
export interface LocalRegistry extends AsyncDisposable {
  readonly url: string;
  /** Package names asked for that node_modules does not have (npm skips optional ones). */
  readonly missing: ReadonlySet<string>;
  stop(): Promise<void>;
}

/** Serves the packages of `nodeModules` as an npm registry on a free port of 127.0.0.1. */
export function serveNodeModules(nodeModules: string): LocalRegistry {
  const packages = scan(nodeModules);
  const missing = new Set<string>();
  const tarballs = new Map<string, Promise<ArrayBuffer>>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // Packing a large package on a busy machine can take longer than Bun's default 10 s.
    idleTimeout: 120,
    async fetch(request): Promise<Response> {
      const path = decodeURIComponent(new URL(request.url).pathname).slice(1);
      const tarball = /^-\/tarballs\/(.+)\/([^/]+)\.tgz$/.exec(path);
      if (tarball) {
        const found = packages.get(tarball[1]!)?.get(tarball[2]!);
        if (!found) return new Response("not found", { status: 404 });
        const key = `${tarball[1]}@${tarball[2]}`;
        let packed = tarballs.get(key);
        if (!packed) {
          // The package directory as npm packs it: everything under `package/`, without its node_modules.
          const tar = Bun.spawn(
            ["tar", "-czf", "-", "--exclude=./node_modules", "--transform", "s,^\\.,package,", "-C", found.dir, "."],
            { stdout: "pipe", stderr: "ignore" },
          );
          packed = new Response(tar.stdout).arrayBuffer();
          tarballs.set(key, packed);
        }
        return new Response(await packed, { headers: { "content-type": "application/octet-stream" } });
      }
      const versions = packages.get(path);
      if (!versions) {
        missing.add(path);
        return Response.json({ error: "not found" }, { status: 404 });
      }
      const origin: string = `http://127.0.0.1:${server.port}`;
      const all: Record<string, unknown> = Object.fromEntries(
        [...versions].map(([version, { manifest }]) => [
          version,
          {
            ...Object.fromEntries(KEPT.filter((key) => key in manifest).map((key) => [key, manifest[key]])),
            dist: { tarball: `${origin}/-/tarballs/${path}/${version}.tgz` },
          },
        ]),
      );
      const latest = [...versions.keys()].sort(Bun.semver.order).at(-1)!;
      return Response.json({ name: path, "dist-tags": { latest }, versions: all });
    },
  });
  const stop = async () => {
    await server.stop(true);
  };
  return { url: `http://127.0.0.1:${server.port}/`, missing, stop, [Symbol.asyncDispose]: stop };
}
