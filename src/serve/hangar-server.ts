import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { AnyObjectSchema, SchemaOutput } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  McpError,
  type Notification,
  type Request,
  type Result,
  type ServerNotification,
  type ServerRequest,
  type ServerResult,
} from "@modelcontextprotocol/sdk/types.js";
import { withoutMcpPrefix } from "../errors.ts";

type Handler<T extends AnyObjectSchema> = (
  request: SchemaOutput<T>,
  extra: RequestHandlerExtra<ServerRequest | Request, ServerNotification | Notification>,
) => ServerResult | Result | Promise<ServerResult | Result>;

/**
 * The SDK's `Server`, except that an `McpError` thrown by a request handler reaches the client without
 * the "MCP error <code>:" prefix in its message. The SDK sends an error's message as it is and the
 * client's SDK adds the prefix again, so clients saw "MCP error -32602: MCP error -32602: …" (and a
 * provider's error forwarded as it came, three times).
 */
export class HangarServer extends Server {
  override setRequestHandler<T extends AnyObjectSchema>(schema: T, handler: Handler<T>): void {
    super.setRequestHandler(schema, async (request, extra) => {
      try {
        return await handler(request, extra);
      } catch (error) {
        throw error instanceof McpError ? unprefixed(error) : error;
      }
    });
  }
}

/** The same error with its message stripped of every "MCP error <code>:" prefix. */
function unprefixed(error: McpError): McpError {
  const plain = new McpError(error.code, "", error.data);
  plain.message = withoutMcpPrefix(error.message);
  return plain;
}
