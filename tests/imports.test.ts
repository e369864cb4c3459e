// The shape of src's module graph: layers import downwards only, so no module reaches itself again.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "./helpers/paths.ts";

const SRC = join(ROOT, "src");

/** Each module of src and the modules of src it imports statically (`import type` and re-exports too). */
function moduleGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of new Bun.Glob("**/*.ts").scanSync(SRC)) {
    const path = join(SRC, file);
    const text = readFileSync(path, "utf8");
    const imports = [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"(\.{1,2}\/[^"]+)"/gms)];
    graph.set(
      relative(SRC, path),
      imports.map((match) => relative(SRC, resolve(dirname(path), match[1]!))),
    );
  }
  return graph;
}

/** Every cycle a depth-first walk meets, each as the modules along it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (module: string) => {
    path.push(module);
    for (const next of graph.get(module) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.push([...path.slice(at), next]);
      else if (!done.has(next)) visit(next);
    }
    path.pop();
    done.add(module);
  };
  for (const module of graph.keys()) if (!done.has(module)) visit(module);
  return found;
}

describe("src's imports (issue 16 item 7)", () => {
  test("no module imports itself back through others", () => {
    const graph = moduleGraph();
    expect(graph.get("serve/server.ts")).toContain("serve/hangar-tools.ts");
    expect(cycles(graph).map((cycle) => cycle.join(" → "))).toEqual([]);
  });
});

describe("src's packages (issue 10)", () => {
  test("src speaks MCP through the v2 SDK only; the v1 SDK is a dev dependency of the tests", () => {
    const v1 = [...new Bun.Glob("**/*.ts").scanSync(SRC)].filter((file) =>
      readFileSync(join(SRC, file), "utf8").includes('"@modelcontextprotocol/sdk'),
    );
    expect(v1).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(Object.keys(pkg.dependencies)).not.toContain("@modelcontextprotocol/sdk");
    expect(Object.keys(pkg.devDependencies)).toContain("@modelcontextprotocol/sdk");
  });
});
