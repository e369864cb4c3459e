import { bun } from "./host.ts";

/** All of standard input as text, once it ends. */
export async function readStdinText(): Promise<string> {
  if (bun) return await bun.stdin.text();
  const { text } = await import("node:stream/consumers");
  return await text(process.stdin);
}
