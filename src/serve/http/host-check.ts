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
  const names = new Set(LOOPBACK_HOSTNAMES);
  names.add(bracketed(options.host.toLowerCase()));
  const host = headers.get("host");
  if (host === null) return "the request has no Host header";
  const parsed = splitHost(host);
  if (parsed === undefined) return `the Host header "${host}" is not a host name`;
  const wildcard = isWildcard(options.host);
  if (!wildcard) {
    if (!names.has(parsed.name)) return `the Host header "${host}" does not name this server`;
    if (parsed.port !== undefined && parsed.port !== String(options.port()))
      return `the Host header "${host}" names another port`;
  }
  const origin = headers.get("origin");
  if (origin === null) return undefined;
  let originName: string;
  try {
    originName = bracketed(new URL(origin).hostname.toLowerCase());
  } catch {
    return `the Origin header "${origin}" is not a URL`;
  }
  if (names.has(originName) || (wildcard && originName === parsed.name)) return undefined;
  return `the Origin "${origin}" is not allowed`;
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
