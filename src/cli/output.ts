import type { BatchResult, CallResult } from "../gateway/index.ts";

/** Colours for a terminal; plain text elsewhere or when NO_COLOR is set. */
export function palette(enabled: boolean) {
  const wrap = (code: number) => (text: string) => (enabled ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { green: wrap(32), red: wrap(31), dim: wrap(2), bold: wrap(1) };
}

/** Whether to colour output written to `stream`. */
export function useColor(stream: { isTTY?: boolean }): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

/** The first text of a result or the error message, on one line, at most `width` characters. */
export function preview(result: CallResult, width = 60): string {
  let text: string;
  if (result.error) text = `${result.error.type}: ${result.error.message}`;
  else {
    const content = (result.result?.content as { type: string; text?: string }[] | undefined) ?? [];
    const first = content.find((c) => c.type === "text");
    text =
      first?.text ??
      (content.length ? `[${content.map((c) => c.type).join(", ")}]` : JSON.stringify(result.result ?? {}));
  }
  const line = text.replace(/\s+/g, " ").trim();
  // An error is what the user has to read: it gets four times the room of a result.
  const room = result.error ? width * 4 : width;
  return line.length > room ? `${line.slice(0, room - 1)}…` : line;
}

/** One table row for a finished call. */
export function formatRow(result: CallResult, color: boolean): string {
  const c = palette(color);
  const mark = result.ok ? c.green("ok  ") : c.red("FAIL");
  const target = `${result.provider}/${result.tool}`.padEnd(24);
  const time = `${Math.round(result.elapsed_ms)} ms`.padStart(8);
  const label = result.id === undefined ? `#${result.index}` : `#${result.index} ${result.id}`;
  return `${mark} ${target} ${label.padEnd(10)} ${time}  ${c.dim(preview(result))}`;
}

/** The closing line: how many calls succeeded and the batch's wall time. */
export function formatSummary(batch: BatchResult, color: boolean): string {
  const c = palette(color);
  const counts = `${batch.total} calls, ${batch.succeeded} succeeded, ${batch.failed} failed`;
  return `${batch.ok ? c.green(counts) : c.red(counts)} in ${c.bold(`${Math.round(batch.elapsed_ms)} ms`)}`;
}
