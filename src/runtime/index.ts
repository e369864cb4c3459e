/** Runtime access (Bun or Deno) behind one thin layer: the rest of Hangar imports only from here. */
export { bun, type DenoApi, deno } from "./host.ts";
export { type Listener, type ListenOptions, listen } from "./listen.ts";
export { type NativeYaml, nativeYaml } from "./native-yaml.ts";
export { peerUid } from "./peer-uid.ts";
export { PidLock } from "./pid-lock.ts";
export { processAlive } from "./process-alive.ts";
export { readStdinText } from "./read-stdin.ts";
export { type Finished, type RunToEndOptions, runToEnd, runToEndSync } from "./run-to-end.ts";
export { sha256Hex } from "./sha256.ts";
export { type OutputSink, stdinStream, stdoutSink } from "./stdio.ts";
export { connectUnix, type UnixSocket, type UnixSocketHandlers } from "./unix-socket.ts";
export { searchPath, type WhichOptions, which } from "./which.ts";
