import type { Socket } from "node:net";
import { bun } from "./host.ts";

/** Linux's `SOL_SOCKET` and `SO_PEERCRED` (asm-generic/socket.h; the same on x86-64 and arm64). */
const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

type GetSockOpt = (fd: number, level: number, name: number, value: Uint8Array, length: Uint8Array) => number;
let getsockopt: GetSockOpt | null | undefined;

/**
 * The uid of the process at the other end of a connected Unix socket, as the kernel tells it
 * (`getsockopt(SO_PEERCRED)`, called through Bun's FFI on libc), or undefined where that cannot be
 * asked: not Linux, not Bun, no glibc, or a socket whose descriptor the runtime does not show. The
 * caller then relies on the socket's file permissions alone.
 */
export async function peerUid(socket: Socket): Promise<number | undefined> {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== "number" || fd < 0) return undefined;
  const call = await loadGetSockOpt();
  if (call === null) return undefined;
  const cred = new Int32Array(3); // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
  const length = new Uint32Array([cred.byteLength]);
  const status = call(fd, SOL_SOCKET, SO_PEERCRED, new Uint8Array(cred.buffer), new Uint8Array(length.buffer));
  return status === 0 && length[0] === cred.byteLength ? cred[1] : undefined;
}

async function loadGetSockOpt(): Promise<GetSockOpt | null> {
  if (getsockopt !== undefined) return getsockopt;
  getsockopt = null;
  if (!bun || process.platform !== "linux") return null;
  try {
    const { dlopen, FFIType } = await import("bun:ffi");
    const { ptr, i32 } = FFIType;
    const libc = dlopen("libc.so.6", { getsockopt: { args: [i32, i32, i32, ptr, ptr], returns: i32 } });
    getsockopt = (fd, level, name, value, length) => libc.symbols.getsockopt(fd, level, name, value, length);
  } catch {
    // musl or no libc.so.6: permissions only.
  }
  return getsockopt;
}
