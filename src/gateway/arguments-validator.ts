import type { Tool } from "@modelcontextprotocol/client";
import { Ajv, type ValidateFunction } from "ajv";

/**
 * Checks call arguments against a tool's inputSchema, compiling each distinct schema once (many
 * providers, or many processes of one server, share schemas; a compile costs milliseconds).
 */
export class ArgumentsValidator {
  /** Made on first use: building an Ajv compiles its meta-schema (~15 ms), which `hangar serve` answering `tools/list` never needs. */
  private made: Ajv | undefined;
  private readonly compiled = new WeakMap<Tool, ValidateFunction | null>();
  private readonly bySchema = new Map<string, ValidateFunction | null>();
  private warm = false;

  /**
   * Pays ajv's one-time cost (its first compile takes ~30 ms, later ones about 1 ms) now, so that it can
   * overlap with a provider's start instead of delaying the first call once the provider is ready.
   */
  warmUp(): void {
    if (this.warm) return;
    this.warm = true;
    this.ajv.compile({ type: "object" });
  }

  private get ajv(): Ajv {
    this.made ??= new Ajv({ strict: false, allErrors: false, validateFormats: false });
    return this.made;
  }

  /** Returns a one-line reason the arguments do not fit, or undefined when they do (or the schema can't be compiled). */
  check(tool: Tool, args: Record<string, unknown>): string | undefined {
    const validate = this.validatorFor(tool);
    if (validate === null || validate(args)) return undefined;
    const first = validate.errors?.[0];
    if (!first) return "the arguments do not match the tool's inputSchema";
    const where = first.instancePath === "" ? "arguments" : `arguments${first.instancePath.replaceAll("/", ".")}`;
    const extra = first.keyword === "additionalProperties" ? ` ("${String(first.params.additionalProperty)}")` : "";
    return `${where} ${first.message ?? "is invalid"}${extra}`;
  }

  private validatorFor(tool: Tool): ValidateFunction | null {
    let validate = this.compiled.get(tool);
    if (validate !== undefined) return validate;
    // Providers declare many drafts; validate by the structure, not the $schema they name.
    const { $schema: _ignored, ...schema } = tool.inputSchema as Record<string, unknown>;
    const key = JSON.stringify(schema);
    validate = this.bySchema.get(key);
    if (validate === undefined) {
      try {
        validate = this.ajv.compile(schema);
      } catch {
        validate = null; // The provider validates on its own; an odd schema must not block the call.
      }
      this.bySchema.set(key, validate);
    }
    this.compiled.set(tool, validate);
    return validate;
  }
}
