import { existsSync } from "node:fs";
import { DEFAULT_LIBVIRT_SOCKET } from "../libvirt-client.js";

/**
 * The daemon socket integration tests use (NOVA_LIBVIRT_SOCKET overrides). Tests never skip: a missing daemon
 * is a failure that says how to start one (scripts/setup-libvirt.sh, run by scripts/setup-services.sh).
 */
export function requireLibvirtd(): string {
  const socketPath = process.env.NOVA_LIBVIRT_SOCKET ?? DEFAULT_LIBVIRT_SOCKET;
  if (!existsSync(socketPath)) {
    throw new Error(
      `libvirtd is not running (no socket at ${socketPath}); run: bash scripts/setup-libvirt.sh`,
    );
  }
  return socketPath;
}
