import { createRequire } from "node:module";
import type { Tool } from "@modelcontextprotocol/client";
import type { Ajv, ValidateFunction } from "ajv";
import { plainlyFits } from "./plain-arguments.ts";

/** A tool's compiled inputSchema, and whether the schema itself is valid JSON Schema once that was asked. */
interface Compiled {
  readonly validate: ValidateFunction;
  readonly schema: Record<string, unknown>;
  valid?: boolean;
}

/**
 * Checks call arguments against a tool's inputSchema, compiling each distinct schema once (many
 * providers, or many processes of one server, share schemas; a compile costs milliseconds).
 *
 * A schema that is not valid JSON Schema is not enforced (the provider validates on its own; an odd
 * schema must not block a call). Ajv checks that by compiling the meta-schema, which costs 30–60 ms at
 * a process's first call (issue 11), so it is asked only when a validator refuses arguments: the answer
 * is the same as checking every schema first, and a call that fits its schema never pays for it.
 */
export class ArgumentsValidator {
  /** Made on first use, so that `hangar serve` answering `tools/list` never builds one. */
  private made: Ajv | undefined;
  private readonly compiled = new WeakMap<Tool, Compiled | null>();
  private readonly bySchema = new Map<string, Compiled | null>();
  private warm = false;
  private checked = false;

  /**
   * Pays ajv's one-time cost (a few ms: the Ajv itself and its first compile) now, so that it can
   * overlap with a provider's start instead of delaying the first call once the provider is ready.
   */
  warmUp(): void {
    // Once a call was checked, ajv is built when a check needs it (a plain schema never does).
    if (this.warm || this.checked) return;
    this.warm = true;
    this.ajv.compile({ type: "object" });
  }

  private get ajv(): Ajv {
    this.made ??= new (ajvClass())({ strict: false, allErrors: false, validateFormats: false, validateSchema: false });
    return this.made;
  }

  /** Returns a one-line reason the arguments do not fit, or undefined when they do (or the schema can't be compiled). */
  check(tool: Tool, args: Record<string, unknown>): string | undefined {
    this.checked = true;
    if (plainlyFits(tool.inputSchema as Record<string, unknown>, args)) return undefined; // No ajv (issue 11).
    const compiled = this.compiledFor(tool);
    if (compiled === null) return undefined;
    const { validate } = compiled;
    try {
      if (validate(args)) return undefined;
    } catch {
      return undefined; // Only a schema that is not valid JSON Schema can make its validator throw.
    }
    const first = validate.errors?.[0];
    if (!this.isValidSchema(compiled)) return undefined;
    if (!first) return "the arguments do not match the tool's inputSchema";
    const where = first.instancePath === "" ? "arguments" : `arguments${first.instancePath.replaceAll("/", ".")}`;
    const extra = first.keyword === "additionalProperties" ? ` ("${String(first.params.additionalProperty)}")` : "";
    return `${where} ${first.message ?? "is invalid"}${extra}`;
  }

  private isValidSchema(compiled: Compiled): boolean {
    if (compiled.valid === undefined) {
      try {
        compiled.valid = this.ajv.validateSchema(compiled.schema) === true;
      } catch {
        compiled.valid = false; // A meta-schema it names that ajv does not know.
      }
    }
    return compiled.valid;
  }

  private compiledFor(tool: Tool): Compiled | null {
    let compiled = this.compiled.get(tool);
    if (compiled !== undefined) return compiled;
    // Providers declare many drafts; validate by the structure, not the $schema they name.
    const { $schema: _ignored, ...schema } = tool.inputSchema as Record<string, unknown>;
    const key = JSON.stringify(schema);
    compiled = this.bySchema.get(key);
    if (compiled === undefined) {
      try {
        compiled = { validate: this.ajv.compile(schema), schema };
      } catch {
        compiled = null; // The provider validates on its own; an odd schema must not block the call.
      }
      this.bySchema.set(key, compiled);
    }
    this.compiled.set(tool, compiled);
    return compiled;
  }
}

/**
 * Ajv's class, its module loaded at the first check (issue 11: ~3 ms of every start, for `hangar serve`
 * answering `tools/list` too). A literal `require` for the bundler (the binary, the Node library);
 * `createRequire` where modules run without `require` (Deno).
 */
function ajvClass(): typeof Ajv {
  const loaded = (typeof require === "function" ? require("ajv") : createRequire(import.meta.url)("ajv")) as {
    Ajv: typeof Ajv;
  };
  return loaded.Ajv;
}
