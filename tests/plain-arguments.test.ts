// Issue 11: the arguments of a plain schema are checked without ajv (its class, setup and first compiles
// were a fifth of a one-call `hangar call`'s CPU). The plain check may only say "fits" where ajv agrees;
// everything else is ajv's, which refuses in its own words.
import { describe, expect, test } from "bun:test";
import type { Tool } from "@modelcontextprotocol/client";
import { Ajv } from "ajv";
import { ArgumentsValidator } from "../src/gateway/arguments-validator.ts";
import { plainlyFits } from "../src/gateway/plain-arguments.ts";

const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false, validateSchema: false });
const ajvFits = (schema: Record<string, unknown>, args: Record<string, unknown>) => {
  const { $schema: _, ...rest } = schema;
  return ajv.compile(rest)(args) === true;
};

const SCHEMAS: Record<string, unknown>[] = [
  { type: "object", $schema: "https://json-schema.org/draft/2020-12/schema", properties: {} },
  {
    type: "object",
    properties: { message: { type: "string", description: "d" } },
    required: ["message"],
  },
  {
    type: "object",
    properties: { ms: { type: "integer", minimum: 0, maximum: 600000 }, x: { type: "number", exclusiveMaximum: 1 } },
    required: ["ms"],
    additionalProperties: false,
  },
  { type: "object", properties: { s: { type: "string", minLength: 2, maxLength: 3 }, b: { type: "boolean" } } },
  { type: "object", properties: { e: { type: "string", enum: ["a", "b"] }, n: { type: "number", enum: [1, 2] } } },
  // Not plain: ajv's to judge.
  { type: "object", properties: { a: { type: ["string", "null"] } } },
  { type: "object", properties: { a: { type: "string", pattern: "^x" } } },
  { type: "object", properties: { a: { type: "number", exclusiveMinimum: true, minimum: 0 } } },
  { type: "object", properties: { a: { type: "array", items: { type: "string" } } } },
  { type: "object", properties: { a: { $ref: "#/$defs/x" } }, $defs: { x: { type: "string" } } },
  { type: "object", properties: { a: true } },
  { type: "object", additionalProperties: { type: "string" } },
  { type: "object", properties: { a: { type: "string", format: "email" } } },
  { type: "object", properties: { a: { type: "toString" } } },
  { type: "object", properties: { a: { type: "__proto__" } } },
];

const ARGS: Record<string, unknown>[] = [
  {},
  { message: "hi" },
  { message: 5 },
  { message: "hi", extra: 1 },
  { ms: 5 },
  { ms: 5.5 },
  { ms: -1 },
  { ms: 600001 },
  { ms: 1, x: 1 },
  { ms: 1, x: 0.5 },
  { ms: 1, y: 0 },
  { s: "ab" },
  { s: "a" },
  { s: "abcd" },
  { s: "👍👍" },
  { s: "ab", b: "true" },
  { e: "a", n: 2 },
  { e: "c" },
  { n: 3 },
  { a: "x" },
  { a: null },
  { a: ["x"] },
  { a: 1 },
];

describe("plain arguments checked without ajv (issue 11)", () => {
  test("whatever the plain check says fits, ajv accepts too", () => {
    let plain = 0;
    for (const schema of SCHEMAS)
      for (const args of ARGS)
        if (plainlyFits(schema, args)) {
          plain++;
          expect({ schema, args, ajv: ajvFits(schema, args) }).toEqual({ schema, args, ajv: true });
        }
    expect(plain).toBeGreaterThan(20);
  });

  test("the arguments of a plain schema that fit are told so without ajv, in every type it knows", () => {
    for (const [index, args] of [
      [1, { message: "hi", extra: { any: 1 } }],
      [2, { ms: 600000, x: 0.99 }],
      [3, { s: "👍👍", b: false }],
      [4, { e: "b", n: 1 }],
      [0, { whatever: [1] }],
    ] as const)
      expect(plainlyFits(SCHEMAS[index]!, args)).toBe(true);
  });

  test("a validator checking a plain schema's fitting arguments never builds ajv, and refusals keep ajv's words", () => {
    const validator = new ArgumentsValidator();
    const echo = { name: "echo", inputSchema: SCHEMAS[1] } as Tool;
    expect(validator.check(echo, { message: "hi" })).toBeUndefined();
    validator.warmUp(); // After a check: nothing to warm.
    expect((validator as unknown as { made?: unknown }).made).toBeUndefined();
    expect(validator.check(echo, { message: 5 })).toBe("arguments.message must be string");
    expect((validator as unknown as { made?: unknown }).made).toBeDefined();
  });

  test("a tool's schema is read once, however many calls check their arguments against it", () => {
    let reads = 0;
    const counted = <T extends object>(target: T): T =>
      new Proxy(target, {
        ownKeys(inner) {
          reads++;
          return Reflect.ownKeys(inner);
        },
      });
    const schema = counted({
      type: "object",
      properties: counted({ message: counted({ type: "string", maxLength: 5 }) }),
      required: ["message"],
    });
    for (let i = 0; i < 100; i++) expect(plainlyFits(schema, { message: "hi" })).toBe(true);
    const once = reads;
    expect(once).toBeGreaterThan(0);
    expect(plainlyFits(schema, { message: "too long" })).toBe(false);
    expect(plainlyFits(schema, {})).toBe(false);
    expect(reads).toBe(once);
  });
});
