import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/server";
import type { z } from "zod";
import type { FrontDeps } from "./front-deps.ts";
import type { Extra } from "./request-context.ts";

/** One of Hangar's own tools: what `tools/list` shows of it and what answers its `tools/call`. */
export interface HangarTool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** Its arguments; `call` gets them without the top-level keys this does not know (`withoutUnknownKeys`). */
  readonly input: z.ZodObject;
  /** Its `structuredContent`, if it declares one. */
  readonly output?: z.ZodType;
  readonly annotations: ToolAnnotations;
  call(deps: FrontDeps, args: unknown, extra: Extra): Promise<CallToolResult>;
}
