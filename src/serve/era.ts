import type { McpRequestContext } from "@modelcontextprotocol/server";

/** The protocol era an instance serves: 2026-07-28 (`modern`) or a 2025 revision (`legacy`). */
export type Era = McpRequestContext["era"];
