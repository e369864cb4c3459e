/** Writes `text` to stdout and waits until it is flushed, so nothing is lost when the process exits. */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once("drain", resolve);
  });
}
