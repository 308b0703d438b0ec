// The daemon check is shared with other packages' end-to-end tests through @nova/virt-libvirt/test.
export { requireLibvirtd } from "../../src/test/libvirtd.js";

/** A domain name no other test (or test run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Minimal XML for libvirt's test driver. */
export function testDriverDomainXml(name: string, uuid = crypto.randomUUID()): string {
  return `<domain type="test"><name>${name}</name><uuid>${uuid}</uuid><memory unit="KiB">65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`;
}
