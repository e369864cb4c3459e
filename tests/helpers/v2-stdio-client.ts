// A v2 SDK client on a fresh `hangar serve` (stdio) in a sandbox, for the tests of either protocol era.
import { Client, type ClientOptions } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { ResponsesLast } from "../../src/providers/responses-last.ts";
import { hangarBinary, killLeftovers, type Sandbox } from "./e2e.ts";
import { descendants } from "./processes.ts";

/** The client (progress kept in order by ResponsesLast); disposing it closes it and leaves no process. */
export async function v2StdioClient(box: Sandbox, options: ClientOptions): Promise<Client & AsyncDisposable> {
  const client = new Client({ name: "hangar-tests", version: "1.0.0" }, options) as Client & AsyncDisposable;
  const transport = new StdioClientTransport({
    command: hangarBinary(),
    args: ["serve"],
    env: box.env,
    cwd: box.cwd,
    stderr: "ignore",
  });
  await client.connect(new ResponsesLast(transport));
  const pid = transport.pid;
  client[Symbol.asyncDispose] = async () => {
    const below = pid === null ? [] : descendants(pid);
    await client.close();
    killLeftovers(new Set(below));
  };
  return client;
}
