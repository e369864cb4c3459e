import type { BatchResult, CallResult } from "../lib/types.ts";

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
  else if (result.selected) text = JSON.stringify(result.selected);
  else {
    const content = result.result?.content ?? [];
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

/** Widths of the table's `provider/tool` and `#index id` columns. */
export interface RowLayout {
  readonly target: number;
  readonly label: number;
}

/** The narrowest columns (short names line up as before), and the widest (longer text is cut with …). */
const MIN_LAYOUT: RowLayout = { target: 24, label: 10 };
const MAX_LAYOUT: RowLayout = { target: 56, label: 28 };

/** `text` padded to `width`, or cut to it with a trailing … */
export function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

const labelOf = (index: number, id: string | undefined) => (id === undefined ? `#${index}` : `#${index} ${id}`);

/** Columns wide enough for every call of the batch (within `MAX_LAYOUT`), so that the rows line up. */
export function rowLayout(calls: readonly { provider: string; tool: string; id?: string | undefined }[]): RowLayout {
  let target = MIN_LAYOUT.target;
  let label = MIN_LAYOUT.label;
  calls.forEach((call, index) => {
    target = Math.max(target, call.provider.length + 1 + call.tool.length);
    label = Math.max(label, labelOf(index, call.id).length);
  });
  return { target: Math.min(target, MAX_LAYOUT.target), label: Math.min(label, MAX_LAYOUT.label) };
}

/** One table row for a finished call. */
export function formatRow(result: CallResult, color: boolean, layout: RowLayout = MIN_LAYOUT): string {
  const c = palette(color);
  const mark = result.ok ? c.green("ok  ") : c.red("FAIL");
  const target = fit(`${result.provider}/${result.tool}`, layout.target);
  const time = `${Math.round(result.elapsed_ms)} ms`.padStart(8);
  const label = fit(labelOf(result.index, result.id), layout.label);
  return `${mark} ${target} ${label} ${time}  ${c.dim(preview(result))}`;
}

/** The closing line: how many calls succeeded and the batch's wall time. */
export function formatSummary(batch: BatchResult, color: boolean): string {
  const c = palette(color);
  const counts = `${batch.total} call${batch.total === 1 ? "" : "s"}, ${batch.succeeded} succeeded, ${batch.failed} failed`;
  return `${batch.ok ? c.green(counts) : c.red(counts)} in ${c.bold(`${Math.round(batch.elapsed_ms)} ms`)}`;
}
