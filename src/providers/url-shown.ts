/**
 * A remote provider's URL as messages, logs, status and `doctor` may show it: its scheme and host only,
 * `/…` standing for any path. A URL's user-info, query and fragment are where credentials usually go,
 * but many servers take an API key as a path segment (`…/mcp/<key>/sse`), and a config's URL values are
 * secrets (docs/contract.md): the provider's id names which one it is.
 */
export function urlShown(url: string | URL): string {
  const parsed = typeof url === "string" ? new URL(url) : url;
  const path = parsed.pathname === "/" || parsed.pathname === "" ? "" : "/…";
  return `${parsed.protocol}//${parsed.host}${path}`;
}

/**
 * `text` (an error's message) without any part of `url` past its host: what a client library says may
 * quote the URL it was given.
 */
export function withoutUrl(text: string, url: string | URL): string {
  const parsed = typeof url === "string" ? new URL(url) : url;
  let out = text.replaceAll(parsed.href, urlShown(parsed));
  for (const part of [parsed.pathname, parsed.search, parsed.hash, parsed.username, parsed.password])
    if (part.length > 1) out = out.replaceAll(part, "…");
  return out;
}
