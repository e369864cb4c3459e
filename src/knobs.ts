/**
 * Hangar's environment variables, named once. The CLI reads them through these names; the docs, the
 * Kubernetes manifests (deploy/kubernetes/) and their tests check theirs against this list.
 */
export const ENV = {
  /** The config file (else ./hangar.yaml, then ~/.hangar/config.yaml). */
  config: "HANGAR_CONFIG",
  /** The log level, as `--log-level`. */
  logLevel: "HANGAR_LOG_LEVEL",
  /** `serve --http`: the bearer token, as `--token`. */
  token: "HANGAR_TOKEN",
  /** `serve --http`: a file holding the bearer token (a mounted Secret), as `--token-file`. */
  tokenFile: "HANGAR_TOKEN_FILE",
  /** `serve --http`: seconds running requests get to finish after SIGTERM, as `--drain-s`. */
  drainS: "HANGAR_DRAIN_S",
  /** `serve --http`: a file holding the key that seals 2025 session ids (a mounted Secret), as `--session-key-file`. */
  sessionKeyFile: "HANGAR_SESSION_KEY_FILE",
  /** Where hangar writes (default ~/.hangar): `cache/` and `run/` below it. */
  home: "HANGAR_HOME",
  /** Where provider catalogs are cached (default `$HANGAR_HOME/cache`). */
  cacheDir: "HANGAR_CACHE_DIR",
  /** Where upstream OAuth sign-ins are stored (default `$HANGAR_HOME/tokens`; a mounted Secret works). */
  tokensDir: "HANGAR_TOKENS_DIR",
  /** `auth login`: the HTTPS URL of Hangar's OAuth Client ID Metadata Document, as `--client-metadata-url`. */
  oauthClientMetadataUrl: "HANGAR_OAUTH_CLIENT_METADATA_URL",
  /** `auth login --client-id`: the secret of that pre-registered client (never on the command line). */
  oauthClientSecret: "HANGAR_OAUTH_CLIENT_SECRET",
  /**
   * `demo-provider`: `off` serves every message through the MCP SDK, the front's envelope-level answers
   * (src/demo/demo-front.ts) left out — for benchmarks that compare a client of the demo provider
   * directly (a 2025 client, always the SDK's) with one through hangar (2026-07-28, else the front's).
   */
  demoFront: "HANGAR_DEMO_FRONT",
} as const;

/** One of hangar's environment variables. */
export type EnvName = (typeof ENV)[keyof typeof ENV];
