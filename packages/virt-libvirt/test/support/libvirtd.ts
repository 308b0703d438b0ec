import { existsSync } from "node:fs";
import { DEFAULT_LIBVIRT_SOCKET } from "../../src/libvirt-client.js";

/**
 * The daemon socket the integration tests use. Tests never skip: a missing daemon is a failure that says how
 * to start one (scripts/setup-libvirt.sh, which `npm test` runs through scripts/setup-services.sh).
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

/** A domain name no other test (or test run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Minimal XML for libvirt's test driver. */
export function testDriverDomainXml(name: string, uuid = crypto.randomUUID()): string {
  return `<domain type="test"><name>${name}</name><uuid>${uuid}</uuid><memory unit="KiB">65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`;
}
