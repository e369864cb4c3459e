/** The commented starter config that `hangar init` writes: hangar's two demo providers, plus examples to copy. */
import YAML from "yaml";

const FLOW = {
  collectionStyle: "flow",
  defaultStringType: "QUOTE_DOUBLE",
  defaultKeyType: "PLAIN",
  lineWidth: 0,
} as const;

/** A value as one line of YAML: lists and maps in flow style, strings double-quoted (exact for any text). */
export function flow(value: unknown): string {
  return YAML.stringify(value, FLOW).trimEnd();
}

/** The starter config; `selfCommand` runs this hangar (its demo providers are the live providers). */
export function starterConfig(selfCommand: readonly string[]): string {
  return `# Hangar config. Check it with \`hangar doctor\`; run a batch with \`hangar call batch.json\`.
# Every setting and its default: https://github.com/mapyr/mcp-hangar#configuration

max_concurrency: 64            # calls in flight over all providers
max_batch_size: 500            # calls in one batch
pinning: block                 # a tool whose definition changes after its first listing is withheld until
                               # \`hangar pin\` approves it (pins in hangar.lock beside this file; commit it)

defaults:                      # any per-provider setting, applied where a provider is silent
  idle_ttl_s: 300              # stop a provider after this long with nothing in flight; 0 = never
  startup_timeout_s: 30        # spawn + initialize + tools/list; raise it for servers that download first
  call_timeout_s: 60           # default deadline of one call
  max_concurrency: 8           # calls in flight at once per provider; 1 = a serial server

providers:
  # hangar's built-in demo server (tools: sleep, echo, add, fail, info), twice, as with no config, so
  # that examples/batch.json runs here too. Replace them with your own.
  - id: demo
    command: ${flow([...selfCommand, "demo-provider", "--name", "demo"])}
  - id: demo2
    command: ${flow([...selfCommand, "demo-provider", "--name", "demo2"])}

  # A stdio server from npm; \${VAR} is read from the environment (unset = an error naming it).
  # - id: github
  #   command: ["npx", "-y", "@modelcontextprotocol/server-github"]
  #   env: { GITHUB_PERSONAL_ACCESS_TOKEN: "\${GITHUB_TOKEN}" }

  # A server that should only read: deny the tools that write.
  # - id: files
  #   command: ["npx", "-y", "@modelcontextprotocol/server-filesystem", "~/notes"]
  #   tools: { deny: ["write_*", "edit_*", "move_*"] }

  # A server in docker (docker run -i --rm --init … image).
  # - id: in-docker
  #   image: my-registry/mcp-server:latest
  #   network: bridge

  # A remote server over Streamable HTTP (falling back to SSE).
  # - id: remote
  #   url: "https://api.example.com/mcp"
  #   headers: { Authorization: "Bearer \${API_TOKEN}" }
`;
}
