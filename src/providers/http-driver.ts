import {
  type AuthProvider,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { ProviderError } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import { fetchWithTraceHeaders } from "../observability/trace-headers.ts";
import type { ClientBridge } from "./client-bridge.ts";
import {
  type ConnectedClient,
  type ConnectOptions,
  closeListeners,
  connectClient,
  NO_SDK_TIMEOUT,
} from "./connect-client.ts";
import type { Connection, Driver } from "./driver.ts";
import type { EraPlan } from "./era.ts";
import { urlShown, withoutUrl } from "./url-shown.ts";

/** A remote provider's address and how to talk to it. */
export interface HttpTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly protocol: "auto" | "streamable-http" | "sse";
  /** `oauth`: needs a `hangar auth login` sign-in (absent: one is used when stored). */
  readonly auth?: "oauth";
}

/** True when a remote provider answered 404 for our session: it expired, and a new one is needed. */
export function isSessionLost(error: unknown): boolean {
  return error instanceof SdkHttpError && error.status === 404;
}

/** Connects to a remote provider over Streamable HTTP, falling back to the older HTTP+SSE transport. */
export class HttpDriver implements Driver {
  readonly kind = "http";
  /** The provider's OAuth sign-in, kept across connections so a refreshed token is reused. */
  private oauth: AuthProvider | undefined | null = null;

  constructor(
    private readonly providerId: string,
    private readonly target: HttpTarget,
    private readonly logger: Logger,
    private readonly bridge?: ClientBridge,
  ) {}

  async connect(signal: AbortSignal, stdioPlan: EraPlan): Promise<Connection> {
    // Over HTTP a probe's silence is an outage, not a legacy server: only the start's deadline bounds it.
    const plan = { ...stdioPlan, probeTimeoutMs: NO_SDK_TIMEOUT };
    const url = new URL(this.target.url);
    const requestInit: RequestInit = { headers: { ...this.target.headers } };
    // The OAuth parts (and node:crypto) load with the first remote connection: a stdio-only start skips them.
    this.oauth ??= (await import("../auth/index.ts")).upstreamAuthFor(this.providerId, this.target, this.logger);
    const authProvider = this.oauth ? { authProvider: this.oauth } : {};
    if (this.target.protocol !== "sse") {
      const transport = new StreamableHTTPClientTransport(url, {
        requestInit,
        fetch: fetchWithTraceHeaders(),
        ...authProvider,
      });
      try {
        const connected = await connectClient(transport, signal, plan, this.connectOptions());
        return this.connection(connected, async () => {
          await transport.terminateSession().catch(() => {});
          await connected.client.close().catch(() => {});
        });
      } catch (error) {
        if (error instanceof ProviderError) throw error; // A sign-in to make: it says so itself.
        if (this.target.protocol === "streamable-http" || signal.aborted || !isHttpClientError(error)) {
          throw this.unreachable(error);
        }
        this.logger.info({ provider: this.providerId }, "Streamable HTTP refused; falling back to SSE");
      }
    }
    const transport = new SSEClientTransport(url, { requestInit, fetch: fetchWithTraceHeaders(), ...authProvider });
    try {
      // The older HTTP+SSE transport predates 2026-07-28: no probe.
      const connected = await connectClient(
        transport,
        signal,
        { ...plan, prior: { kind: "legacy" } },
        this.connectOptions(),
      );
      return this.connection({ ...connected, learned: undefined }, () => connected.client.close().catch(() => {}));
    } catch (error) {
      throw signal.aborted || error instanceof ProviderError ? error : this.unreachable(error);
    }
  }

  private connectOptions(): ConnectOptions {
    return { providerId: this.providerId, ...(this.bridge ? { bridge: this.bridge } : {}) };
  }

  private connection({ client, ...era }: ConnectedClient, close: () => Promise<void>): Connection {
    const closed = closeListeners();
    client.onclose = () => closed.fire();
    return {
      client,
      era,
      pid: undefined,
      stderrTail: () => "",
      closeReason: () => undefined,
      onClose: (listener) => closed.add(listener),
      close,
    };
  }

  /** A start failure that names the provider and host, never the URL's path, credentials or query (`urlShown`). */
  private unreachable(error: unknown): Error {
    const url = new URL(this.target.url);
    // Servers answer errors with whole HTML pages; keep the words, at most a line's worth.
    const raw = withoutUrl(error instanceof Error ? error.message : String(error), url);
    const text = raw
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
      .replace(/<[^>]*>/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    const reason = text.length > 200 ? `${text.slice(0, 199)}…` : text;
    return new Error(`Cannot reach provider "${this.providerId}" at ${urlShown(url)}: ${reason}`);
  }
}

/** A 4xx answer (405 Method Not Allowed, 404, 400) means the server may speak only the SSE transport. */
function isHttpClientError(error: unknown): boolean {
  if (error instanceof SdkHttpError) return error.status >= 400 && error.status < 500;
  return false;
}
