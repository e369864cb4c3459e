/**
 * Which runtime runs Hangar: Bun (the compiled binary, `bun src/main.ts`) or Deno (`deno task …` from
 * source). The helpers beside this file are the only code that reads either global, so the rest of
 * Hangar stays portable; each keeps Bun's native call on Bun, where it is the fastest way.
 */

/** The few Deno APIs Hangar uses, typed here because the project is type-checked with Bun's types. */
export interface DenoApi {
  /** The URL of the module `deno run` was given (src/main.ts). */
  readonly mainModule: string;
  /** The deno executable. */
  execPath(): string;
  serve(options: {
    hostname: string;
    port: number;
    signal: AbortSignal;
    onListen(): void;
    handler(request: Request): Response | Promise<Response>;
    onError?(error: unknown): Response | Promise<Response>;
  }): { readonly addr: { readonly port: number }; readonly finished: Promise<void>; shutdown(): Promise<void> };
}

/** Bun's API when Bun runs Hangar, else undefined. */
export const bun = (globalThis as { Bun?: typeof Bun }).Bun;

/** Deno's API when Deno runs Hangar, else undefined. */
export const deno = (globalThis as { Deno?: DenoApi }).Deno;
