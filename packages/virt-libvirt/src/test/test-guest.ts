import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { type CpioEntry, cpioNewc } from "./cpio-newc.js";

const run = promisify(execFile);

/** The line the test guest prints on its serial console once it is up. */
export const TEST_GUEST_READY_LINE = "NOVA-TS-GUEST-READY";

/** A tiny guest booted directly from a kernel: Debian's cloud kernel and a busybox initramfs. */
export interface TestGuest {
  /** The kernel image file. */
  readonly kernelPath: string;
  /** The busybox initramfs file. */
  readonly initrdPath: string;
  /** Kernel command line to boot it with (serial console on ttyS0). */
  readonly cmdline: string;
  /** The line the guest prints on its console once booted. */
  readonly readyLine: string;
}

/** Where the guest is cached: outside git, shared by test runs (NOVA_TEST_GUEST_CACHE overrides). */
export function testGuestCacheDir(): string {
  return process.env.NOVA_TEST_GUEST_CACHE ?? "/var/cache/nova-ts/test-guest";
}

// The guest's init: prints the ready line, and powers off when the ACPI power button is pressed (so graceful
// shutdown and soft reboot are exercised for real), by waiting for any event on the power button's input device.
const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
insmod /lib/evdev.ko 2>/dev/null
insmod /lib/button.ko 2>/dev/null
ready() { echo "${TEST_GUEST_READY_LINE} $(cut -d' ' -f1 /proc/uptime)"; }
button=""
for d in /sys/class/input/event*; do
  grep -q "Power Button" "$d/device/name" 2>/dev/null && button="/dev/input/$(basename "$d")"
done
if [ -n "$button" ]; then
  # Open the device before announcing readiness, so a press right after the ready line is not missed.
  ( exec 3<"$button"; ready; head -c 1 <&3 >/dev/null; echo "power button pressed: powering off"; poweroff -f ) &
else
  ready
fi
while true; do sleep 3600; done
`;

/**
 * Returns the test guest, building it first when the cache lacks it: downloads busybox-static and the cloud
 * kernel from Debian's archive (apt-get download, no install), and writes the initramfs. Binaries never enter git.
 */
export async function ensureTestGuest(cacheDir = testGuestCacheDir()): Promise<TestGuest> {
  const guest: TestGuest = {
    kernelPath: join(cacheDir, "vmlinuz"),
    initrdPath: join(cacheDir, "initrd.img"),
    cmdline: "console=ttyS0 quiet panic=-1",
    readyLine: TEST_GUEST_READY_LINE,
  };
  const manifestPath = join(cacheDir, "manifest.json");
  const initHash = createHash("sha256").update(INIT).digest("hex");
  const cached =
    existsSync(manifestPath) && (JSON.parse(readFileSync(manifestPath, "utf8")) as { initHash?: string });
  if (
    cached &&
    cached.initHash === initHash &&
    existsSync(guest.kernelPath) &&
    existsSync(guest.initrdPath)
  ) {
    return guest;
  }

  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "nova-test-guest-"));
  try {
    const kernelPackage = await resolveKernelPackage();
    await run("apt-get", ["download", "-q", "busybox-static", kernelPackage], { cwd: work });
    for (const deb of readdirSync(work).filter((f) => f.endsWith(".deb"))) {
      await run("dpkg-deb", ["-x", join(work, deb), join(work, "root")]);
    }
    const root = join(work, "root");
    const vmlinuz = readdirSync(join(root, "boot")).find((f) => f.startsWith("vmlinuz-"));
    if (!vmlinuz) throw new Error(`no kernel in ${kernelPackage}`);
    const release = vmlinuz.slice("vmlinuz-".length);
    // Loadable in the cloud kernel: the input event layer and the ACPI power button.
    const modules = ["kernel/drivers/input/evdev.ko", "kernel/drivers/acpi/button.ko"].map((m) =>
      join(root, "lib/modules", release, m),
    );

    const entries: CpioEntry[] = [
      ...["bin", "dev", "proc", "sys", "lib", "tmp"].map((path) => ({ type: "dir" as const, path })),
      { type: "char", path: "dev/console", major: 5, minor: 1 },
      { type: "file", path: "bin/busybox", data: readFileSync(join(root, "bin/busybox")), mode: 0o755 },
      { type: "symlink", path: "bin/sh", target: "busybox" },
      { type: "file", path: "init", data: Buffer.from(INIT), mode: 0o755 },
    ];
    for (const module of modules) {
      entries.push({ type: "file", path: `lib/${module.split("/").pop()}`, data: readFileSync(module) });
    }
    const initrd = gzipSync(cpioNewc(entries), { level: 9 });

    // Write under temporary names and rename, so a concurrent or interrupted build never leaves half a guest.
    const tmpKernel = `${guest.kernelPath}.${process.pid}.tmp`;
    const tmpInitrd = `${guest.initrdPath}.${process.pid}.tmp`;
    writeFileSync(tmpKernel, readFileSync(join(root, "boot", vmlinuz)));
    writeFileSync(tmpInitrd, initrd);
    renameSync(tmpKernel, guest.kernelPath);
    renameSync(tmpInitrd, guest.initrdPath);
    const manifest = { kernel: release, initHash, builtAt: new Date().toISOString() };
    writeFileSync(`${manifestPath}.${process.pid}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(`${manifestPath}.${process.pid}.tmp`, manifestPath);
    return guest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function resolveKernelPackage(): Promise<string> {
  const depends = async () => (await run("apt-cache", ["depends", "linux-image-cloud-amd64"])).stdout;
  let out = await depends().catch(() => "");
  if (!/Depends: linux-image-\S+/.test(out)) {
    // A machine that never ran apt-get update knows no packages yet.
    await run("apt-get", ["update", "-qq"]);
    out = await depends();
  }
  const match = /Depends: (linux-image-\S+)/.exec(out);
  if (!match?.[1]) throw new Error("cannot resolve linux-image-cloud-amd64 in apt's package lists");
  return match[1];
}
