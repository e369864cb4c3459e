/** The argv that runs this same hangar again: the executable alone when compiled, `bun <main.ts>` otherwise. */
export function selfCommand(): string[] {
  const main = Bun.main;
  const compiled = main.startsWith("/$bunfs/") || /^[A-Z]:\\~BUN\\/.test(main);
  return compiled ? [process.execPath] : [process.execPath, main];
}
