/** Hostnames that always mean "this machine", as they appear in Host and Origin headers. */
export const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether `host` (a bind address) is a loopback address, so nobody else can reach it. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** Whether `host` is a wildcard bind address (every interface). */
export function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** Where Hangar listens, as the Host and Origin checks need it. */
export interface HostCheckOptions {
  /** The address Hangar is bound to (e.g. 127.0.0.1). */
  readonly host: string;
  /** The port it listens on, known once it listens (port 0 picks one). */
  readonly port: () => number;
}

/**
 * Protects against DNS rebinding: a page on evil.example whose name resolves to 127.0.0.1 reaches Hangar
 * with `Host: evil.example:PORT` and `Origin: http://evil.example`. Accepted: a Host of localhost,
 * 127.0.0.1, [::1] or the bound host, on Hangar's port (or without one); an Origin, when there is one,
 * of one of those names on any port. A wildcard bind (0.0.0.0, ::) accepts any Host, since it requires a
 * bearer token, and an Origin naming the Host. Returns why a request is refused, or undefined.
 */
export function hostProblem(headers: Headers, options: HostCheckOptions): string | undefined {
  return new HostCheck(options).problem(headers);
}

/**
 * `hostProblem` for one listening address, its accepted names computed once. The last Host and Origin
 * it accepted are remembered: a client sends the same two on every request, and a repeat of an accepted
 * pair needs no parsing (the port is fixed once Hangar listens, so the answer cannot change).
 */
export class HostCheck {
  private readonly names: ReadonlySet<string>;
  private readonly wildcard: boolean;
  private acceptedHost: string | undefined;
  private acceptedOrigin: string | null = null;

  constructor(private readonly options: HostCheckOptions) {
    this.names = new Set([...LOOPBACK_HOSTNAMES, bracketed(options.host.toLowerCase())]);
    this.wildcard = isWildcard(options.host);
  }

  /** Why a request with these headers is refused, or undefined. */
  problem(headers: Headers): string | undefined {
    const host = headers.get("host");
    const origin = headers.get("origin");
    if (host === this.acceptedHost && origin === this.acceptedOrigin) return undefined;
    const problem = this.check(host, origin);
    if (problem === undefined && host !== null) {
      this.acceptedHost = host;
      this.acceptedOrigin = origin;
    }
    return problem;
  }

  private check(host: string | null, origin: string | null): string | undefined {
    if (host === null) return "the request has no Host header";
    const parsed = splitHost(host);
    if (parsed === undefined) return `the Host header "${host}" is not a host name`;
    if (!this.wildcard) {
      if (!this.names.has(parsed.name)) return `the Host header "${host}" does not name this server`;
      if (parsed.port !== undefined && parsed.port !== String(this.options.port()))
        return `the Host header "${host}" names another port`;
    }
    if (origin === null) return undefined;
    let originName: string;
    try {
      originName = bracketed(new URL(origin).hostname.toLowerCase());
    } catch {
      return `the Origin header "${origin}" is not a URL`;
    }
    if (this.names.has(originName) || (this.wildcard && originName === parsed.name)) return undefined;
    return `the Origin "${origin}" is not allowed`;
  }
}

/** `name[:port]` → its lower-case name (IPv6 in brackets) and port, or undefined when malformed. */
function splitHost(host: string): { name: string; port: string | undefined } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host.trim());
  if (match === null) return undefined;
  return { name: match[1]!.toLowerCase(), port: match[2] };
}

/** An IPv6 address as it appears in a URL host ([::1]); names and IPv4 unchanged. */
function bracketed(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
