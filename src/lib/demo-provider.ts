// The library's demo provider, run as `<runtime> demo-provider.js demo-provider --name <id>` (demoCommand):
// the same server as `hangar demo-provider`, without the CLI.
import { runDemoProvider } from "../demo/demo-provider.ts";

const argv = process.argv.slice(2);
const at = argv.indexOf("--name");
await runDemoProvider({ name: (at >= 0 ? argv[at + 1] : undefined) ?? "demo" });
