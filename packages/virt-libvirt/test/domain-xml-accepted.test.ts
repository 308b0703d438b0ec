import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LibvirtClient } from "../src/libvirt-client.js";
import { DomainXmlFlags } from "../src/libvirt-constants.js";
import { requireLibvirtd, uniqueName } from "./support/libvirtd.js";

// The golden domain XML must be what libvirt's QEMU driver accepts: define each (no start), read it back.
const fixtures = join(import.meta.dirname, "..", "src", "xml", "__fixtures__");
let client: LibvirtClient;
let hasKvm = false;

beforeAll(async () => {
  client = await LibvirtClient.connect({ uri: "qemu:///system", socketPath: requireLibvirtd() });
  hasKvm = (await client.getCapabilities()).includes("<domain type='kvm'");
});
afterAll(async () => {
  await client?.close();
});

describe("golden domain XML against libvirt's QEMU driver", () => {
  for (const file of ["domain-kvm-bridge.xml", "domain-qemu-kernel.xml"]) {
    it(`defines ${file}`, async () => {
      const name = uniqueName("golden");
      const uuid = crypto.randomUUID();
      // Without /dev/kvm (a VM without nested virtualisation) libvirt refuses type="kvm" before it reads the
      // rest; the same document as a TCG guest still checks everything else the golden file says.
      const golden = readFileSync(join(fixtures, file), "utf8");
      const xml = (hasKvm ? golden : golden.replace('<domain type="kvm">', '<domain type="qemu">'))
        .replace("<name>instance-0000002a</name>", `<name>${name}</name>`)
        .replaceAll("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", uuid);
      const domain = await client.domainDefineXml(xml);
      try {
        const back = await client.domainGetXmlDesc(domain, DomainXmlFlags.INACTIVE);
        expect(back).toContain(`<uuid>${uuid}</uuid>`);
        // libvirt keeps the metadata element as given and writes its own attributes with single quotes.
        expect(back).toContain('<nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">');
        expect(back).toContain(`<log file='/var/lib/nova/instances/${uuid}/console.log' append='off'/>`);
        expect(back).toContain("<memballoon model='virtio'>");
      } finally {
        await client.domainUndefine(domain);
      }
    });
  }
});
