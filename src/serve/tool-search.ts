import MiniSearch, { type Query } from "minisearch";
import { stemmer } from "stemmer";
import { synonymTable } from "./tool-synonyms.ts";

/** One tool to search, with the provider that has it. */
export interface SearchableTool {
  readonly provider: string;
  /** The provider's description (from the config), searched with a low weight. */
  readonly providerDescription?: string | undefined;
  /** The tool as its provider lists it (only these fields are read). */
  readonly tool: { readonly name: string; readonly description?: string | undefined; readonly inputSchema: unknown };
}

/** A tool that matched a query, best first. */
export interface ToolHit {
  readonly provider: string;
  readonly name: string;
  readonly tool: SearchableTool["tool"];
  /** The BM25+ score, summed over fields and weighted; only comparable within one answer. */
  readonly score: number;
}

/** How much a term found in each field counts, relative to one in the description. */
const BOOST = { name: 3, description: 1, params: 0.7, provider: 0.5 } as const;
/** How much a synonym of a query word counts, relative to the word itself. */
const SYNONYM_WEIGHT = 0.4;
/** The most characters of one tool's text that are indexed (a provider may describe a tool at length). */
const MAX_FIELD_CHARS = 8000;
/** The most distinct words of a query that are searched (each costs a walk of the index). */
const MAX_QUERY_WORDS = 32;
/** How deep into an input schema parameter names and descriptions are read. */
const MAX_SCHEMA_DEPTH = 4;

/** Words too common in tool descriptions and requests to tell tools apart. */
const STOP_WORDS = new Set(
  (
    "a an and any are as at be by can do does for from give how i in into is it its me my of on or so " +
    "that the their them then there these this those to was what when which will with you your"
  ).split(" "),
);

/**
 * An index of tools ranked by relevance to a query in plain words: BM25+ (minisearch) over each tool's
 * name split into words (`read_text_file`, `getFileInfo` and `get-sum` are words too), its description,
 * its parameters' names and descriptions, and its provider's id and description; words are stemmed
 * (Porter), so "files" finds `file` and "listing" finds `list`. Built once per catalog, searched many times.
 */
export class ToolIndex {
  private readonly index = new MiniSearch<{
    id: number;
    name: string;
    description: string;
    params: string;
    provider: string;
  }>({
    fields: ["name", "description", "params", "provider"],
    tokenize: words,
    processTerm: term,
    searchOptions: {
      boost: BOOST,
      combineWith: "OR",
      // "dir" finds `directory`, "config" finds `configuration`; whole words still rank first.
      prefix: (word) => word.length >= 3,
      weights: { fuzzy: 0.2, prefix: 0.3 },
    },
  });
  private readonly tools: readonly SearchableTool[];

  constructor(tools: readonly SearchableTool[]) {
    this.tools = tools;
    this.index.addAll(
      tools.map(({ provider, providerDescription, tool }, id) => ({
        id,
        name: tool.name,
        description: (tool.description ?? "").slice(0, MAX_FIELD_CHARS),
        params: parameterText(tool.inputSchema).slice(0, MAX_FIELD_CHARS),
        provider: `${provider} ${providerDescription ?? ""}`,
      })),
    );
  }

  /**
   * The tools that match `query`, best first: at most `limit`, only `provider`'s when given; none for a
   * query of stop words only. Only the query's first `MAX_QUERY_WORDS` distinct words count, so a long
   * or repetitive query costs no more than a short one.
   */
  search(query: string, { limit, provider }: { limit: number; provider?: string | undefined }): ToolHit[] {
    const asked = [...new Set(words(query).filter((word) => term(word) !== null))].slice(0, MAX_QUERY_WORDS);
    const stems = new Set(asked.map(term));
    const synonyms = [...new Set(asked.flatMap((word) => synonymsOf(word)))].filter((word) => !stems.has(term(word)));
    const expanded: Query = synonyms.length
      ? {
          combineWith: "OR",
          queries: [asked.join(" "), { queries: [synonyms.join(" ")], boostTerm: () => SYNONYM_WEIGHT }],
        }
      : asked.join(" ");
    const only =
      provider === undefined ? undefined : (result: { id: number }) => this.tools[result.id]?.provider === provider;
    return this.index
      .search(expanded, only ? { filter: only } : {})
      .slice(0, limit)
      .map((result) => {
        const { provider, tool } = this.tools[result.id as number]!;
        return { provider, name: tool.name, tool, score: Math.round(result.score * 1000) / 1000 };
      });
  }
}

/** A word's synonyms, looked up by stem. */
const synonymsOf = synonymTable((word) => stemmer(word.toLowerCase()));

/** Splits text into lowercase words: at anything but letters and digits, and between camelCase humps. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** A word as indexed and searched: stemmed, or null for a stop word. */
function term(word: string): string | null {
  const lower = word.toLowerCase();
  if (STOP_WORDS.has(lower)) return null;
  let stem = stems.get(lower);
  if (stem === undefined) {
    // Tool text repeats its words a lot; stemming each once keeps indexing a large catalog quick.
    if (stems.size >= MAX_STEMS) stems.clear();
    stem = stemmer(lower);
    stems.set(lower, stem);
  }
  return stem;
}

/** Stems already made, by word; cleared when it reaches `MAX_STEMS` words. */
const stems = new Map<string, string>();
const MAX_STEMS = 50_000;

/** The names and descriptions of a schema's properties, nested ones included (to `MAX_SCHEMA_DEPTH`). */
function parameterText(schema: unknown, depth = 0): string {
  if (depth > MAX_SCHEMA_DEPTH || schema === null || typeof schema !== "object") return "";
  const node = schema as { properties?: unknown; items?: unknown; description?: unknown };
  const parts: string[] = [];
  if (depth > 0 && typeof node.description === "string") parts.push(node.description);
  if (node.properties !== null && typeof node.properties === "object") {
    for (const [name, property] of Object.entries(node.properties)) {
      parts.push(name, parameterText(property, depth + 1));
    }
  }
  if (node.items !== undefined) parts.push(parameterText(node.items, depth + 1));
  return parts.filter(Boolean).join(" ");
}
