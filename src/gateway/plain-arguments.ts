/**
 * Whether `args` certainly fit `schema`, told without ajv for the plain schemas most tools have (issue 11:
 * ajv's class, its setup and its first compiles were a fifth of a one-call `hangar call`'s CPU). Plain:
 * `type: "object"`, `properties` each of one primitive `type` (string, number, integer, boolean) with
 * length, range and `enum` (of primitives) bounds and annotations (description, title, default, examples),
 * `required`, `additionalProperties` true or false, annotations. `true` only when every argument fits;
 * `false` means "ask ajv", which then accepts or refuses in its own words: nothing ajv would refuse passes
 * here, and whatever is not plain is ajv's.
 */
export function plainlyFits(schema: Record<string, unknown>, args: Record<string, unknown>): boolean {
  const plain = plainSchema(schema);
  if (plain === undefined) return false;
  for (const name of plain.required) if (args[name] === undefined) return false;
  for (const name in args) {
    const property = plain.properties.get(name);
    if (property === undefined) {
      if (!plain.additionalProperties) return false;
      continue;
    }
    if (!fits(property, args[name])) return false;
  }
  return true;
}

/** A plain schema as `plainlyFits` reads it: its properties by name, required names, extra names allowed. */
interface PlainSchema {
  readonly properties: ReadonlyMap<string, Record<string, unknown>>;
  readonly required: readonly string[];
  readonly additionalProperties: boolean;
}

/** Each schema seen, read once: a provider's listing is never changed, and its schemas are asked per call. */
const read = new WeakMap<Record<string, unknown>, PlainSchema | null>();

/** `schema` as a plain schema, or undefined when it is not one (see `plainlyFits`). */
function plainSchema(schema: Record<string, unknown>): PlainSchema | undefined {
  let plain = read.get(schema);
  if (plain === undefined) {
    plain = readPlain(schema) ?? null;
    read.set(schema, plain);
  }
  return plain ?? undefined;
}

function readPlain(schema: Record<string, unknown>): PlainSchema | undefined {
  for (const key of Object.keys(schema)) if (!OBJECT_KEYS.has(key)) return undefined;
  const { type, properties = {}, required = [], additionalProperties = true } = schema;
  if (type !== "object" || !isObject(properties) || !Array.isArray(required)) return undefined;
  if (typeof additionalProperties !== "boolean") return undefined;
  const byName = new Map<string, Record<string, unknown>>();
  for (const [name, property] of Object.entries(properties)) {
    if (!isObject(property) || !isPlain(property)) return undefined;
    byName.set(name, property);
  }
  if (!required.every((name) => typeof name === "string")) return undefined;
  return { properties: byName, required: required as string[], additionalProperties };
}

const ANNOTATIONS = ["description", "title", "default", "examples", "$comment"];
const OBJECT_KEYS = new Set(["$schema", "type", "properties", "required", "additionalProperties", ...ANNOTATIONS]);
const NUMBER_BOUNDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const;

/**
 * Whether a property schema is plain: one primitive `type`, the bounds of that type (each a finite number,
 * a length a whole number ≥ 0), an `enum` of primitives, annotations.
 */
function isPlain(property: Record<string, unknown>): boolean {
  const type = property.type;
  if (typeof type !== "string" || !Object.hasOwn(ALLOWED_BY_TYPE, type)) return false;
  const allowed = ALLOWED_BY_TYPE[type]!;
  for (const key of Object.keys(property)) if (!allowed.includes(key) && !ANNOTATIONS.includes(key)) return false;
  if (property.enum !== undefined && (!Array.isArray(property.enum) || !property.enum.every(isPrimitive))) return false;
  for (const bound of NUMBER_BOUNDS) {
    const value = property[bound];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) return false;
  }
  return optionalCount(property.minLength) && optionalCount(property.maxLength);
}

const ALLOWED_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  boolean: ["type", "enum"],
  string: ["type", "enum", "minLength", "maxLength"],
  number: ["type", "enum", ...NUMBER_BOUNDS],
  integer: ["type", "enum", ...NUMBER_BOUNDS],
};

/** Whether `value` fits a plain property schema. */
function fits(property: Record<string, unknown>, value: unknown): boolean {
  if (property.enum !== undefined && !(property.enum as unknown[]).includes(value)) return false;
  switch (property.type) {
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string" && lengthFits(property, value);
    default: {
      if (typeof value !== "number" || !Number.isFinite(value)) return false;
      if (property.type === "integer" && !Number.isInteger(value)) return false;
      return rangeFits(property, value);
    }
  }
}

function lengthFits(property: Record<string, unknown>, value: string): boolean {
  const { minLength, maxLength } = property;
  if (minLength === undefined && maxLength === undefined) return true;
  const length = [...value].length; // Code points, as ajv counts them.
  return (
    (minLength === undefined || length >= (minLength as number)) &&
    (maxLength === undefined || length <= (maxLength as number))
  );
}

function rangeFits(property: Record<string, unknown>, value: number): boolean {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = property;
  return (
    (minimum === undefined || value >= (minimum as number)) &&
    (maximum === undefined || value <= (maximum as number)) &&
    (exclusiveMinimum === undefined || value > (exclusiveMinimum as number)) &&
    (exclusiveMaximum === undefined || value < (exclusiveMaximum as number))
  );
}

function optionalCount(value: unknown): boolean {
  return value === undefined || (typeof value === "number" && Number.isSafeInteger(value) && value >= 0);
}

function isPrimitive(value: unknown): boolean {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
