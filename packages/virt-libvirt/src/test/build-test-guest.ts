// Builds (or finds) the test guest and prints where it is: `npx tsx packages/virt-libvirt/src/test/build-test-guest.ts`.
import { ensureTestGuest } from "./test-guest.js";

const guest = await ensureTestGuest();
process.stdout.write(`${JSON.stringify(guest, null, 2)}\n`);
