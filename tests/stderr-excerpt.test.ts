// What a failed start quotes from a provider's stderr (issue 9 #30): the last meaningful lines, never a
// stack frame, a traceback's echoed source or a runtime banner.
import { describe, expect, test } from "bun:test";
import { stderrExcerpt } from "../src/providers/index.ts";

describe("stderr excerpt", () => {
  test("issue 9 #30: a Node crash is quoted by its error line, not its last stack frame", () => {
    const node = [
      "/app/index.js:1423",
      "    throw new Error(`Fatal error: ${reason}`);",
      "    ^",
      "",
      "Error: Fatal error: No connector found for DSN",
      "    at main (/app/index.js:1420:11)",
      "    at async main (/app/index.js:1423:5)",
      "",
      "Node.js v22.11.0",
    ].join("\n");
    expect(stderrExcerpt(node)).toEqual(["Error: Fatal error: No connector found for DSN"]);
  });

  test("a Python traceback is quoted by its exception, and earlier log lines are kept up to the count", () => {
    const python = [
      "INFO starting server",
      "WARNING no config file, using defaults",
      "Traceback (most recent call last):",
      '  File "/srv/server.py", line 12, in <module>',
      "    main()",
      '  File "/srv/server.py", line 9, in main',
      "    raise ValueError('API_KEY is not set')",
      "ValueError: API_KEY is not set",
    ].join("\r\n");
    expect(stderrExcerpt(python)).toEqual([
      "INFO starting server",
      "WARNING no config file, using defaults",
      "ValueError: API_KEY is not set",
    ]);
    expect(stderrExcerpt(python, 1)).toEqual(["ValueError: API_KEY is not set"]);
  });

  test("an npx server's error is quoted, not the npm notices printed after it", () => {
    const npx = [
      "Error: None of the specified directories are accessible",
      "npm notice",
      "npm notice New major version of npm available! 10.8.2 -> 11.6.2",
      "npm notice Changelog: https://github.com/npm/cli/releases/tag/v11.6.2",
      "npm notice To update run: npm install -g npm@11.6.2",
      "npm notice",
      "npm warn deprecated inflight@1.0.6: This module is not supported",
    ].join("\n");
    expect(stderrExcerpt(npx)).toEqual(["Error: None of the specified directories are accessible"]);
  });

  test("long lines are cut, and nothing but noise gives nothing", () => {
    expect(stderrExcerpt(`${"x".repeat(500)}\n`, 3, 10)).toEqual([`${"x".repeat(9)}…`]);
    expect(stderrExcerpt("    at a (b.js:1:1)\n\n")).toEqual([]);
  });
});
