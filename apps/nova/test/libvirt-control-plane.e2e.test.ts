// End to end through the whole control plane with a real hypervisor: nova-api, nova-conductor, nova-scheduler
// and one nova-compute running `libvirt.LibvirtDriver` (`virt_type = qemu`, software emulation) as separate
// processes over the real RabbitMQ and MariaDB. A tiny guest (Debian's cloud kernel and a busybox initramfs)
// is booted, read, rebooted, stopped, started, paused and deleted through the Compute API only; libvirt and the
// disk are then checked with the project's own libvirt client. Deadlines only bound waits for the guest.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ComputeApiError } from "@nova/client";
import {
  DomainEventType,
  type DomainLifecycleMessage,
  DomainState,
  LibvirtError,
  QemuImg,
  VirErrorNumber,
} from "@nova/virt-libvirt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LibvirtCluster, type Proc } from "./libvirt-cluster.js";

const STEP_DEADLINE_MS = 240_000;
// virDomainEventStoppedDetailType: how a domain stopped.
const STOPPED_SHUTDOWN = 0; // the guest shut itself down (ACPI power button)
const STOPPED_DESTROYED = 1; // killed from outside

let instancesPath = "";
const cluster = new LibvirtCluster({
  slug: "lvcp",
  defaults: (dir) => [
    `instances_path = ${join(dir, "instances")}`,
    "service_down_time = 10",
    "rpc_response_timeout = 30",
  ],
  flavors: [{ name: "lv.tiny", memory_mb: 128, vcpus: 1, root_gb: 0 }],
});
const HOST = `lv-compute-${cluster.tag}`;
const NAME_PREFIX = cluster.namePrefix;
const ROOT_IMAGE = cluster.images.root;
const { procs } = cluster;
/** libvirt's lifecycle events, seen on the test's own connection. */
const events: DomainLifecycleMessage[] = [];

/** The details of the "stopped" events libvirt sent for the guest so far. */
const stops = (id: string): number[] =>
  events.filter((e) => e.domain.uuid === id && e.event === DomainEventType.STOPPED).map((e) => e.detail);

/** Waits for one more "stopped" event than `before` had and returns its detail. */
async function nextStop(id: string, before: number): Promise<number> {
  return cluster.until(`a stopped event of ${id}`, async () => stops(id)[before]);
}

/** A process's exit code after SIGTERM; fails naming it, with the logs, if it does not exit. */
async function exitOf(p: Proc): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((r) => {
    timer = setTimeout(() => r("timeout"), 90_000);
  });
  const code = await Promise.race([p.exited, timeout]);
  clearTimeout(timer);
  if (code === "timeout") throw new Error(`${p.name} did not exit after SIGTERM\n${cluster.allLogs()}`);
  return code;
}

beforeAll(async () => {
  await cluster.setUp();
  await cluster.libvirt.onLifecycleEvent((e) => events.push(e));
  instancesPath = join(cluster.dir, "instances");
  mkdirSync(instancesPath);
  cluster.startApp("nova-compute", "compute", { OS_DEFAULT__HOST: HOST });
  cluster.startApp("nova-api", "api", { OS_DEFAULT__HOST: `api-${cluster.tag}` });
  await cluster.computesUp([HOST]);
}, 300_000);

afterAll(() => cluster.dispose(), 120_000);

describe("a real QEMU guest through the whole control plane (nova-compute with libvirt.LibvirtDriver)", () => {
  let id: string;

  it(
    "boots a server to ACTIVE: a running libvirt domain with an overlay on the cached base image",
    async () => {
      const created = await cluster.api.createServer({
        name: "lv-guest",
        flavorRef: "lv.tiny",
        imageRef: ROOT_IMAGE,
      });
      id = created.id;
      const active = await cluster.settledAt(id, "ACTIVE");
      expect(active["OS-EXT-SRV-ATTR:host"]).toBe(HOST);
      expect(active["OS-EXT-STS:power_state"]).toBe(1);
      expect((await cluster.domain(id)).name.startsWith(NAME_PREFIX)).toBe(true);
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
      const instanceDir = join(instancesPath, id);
      expect(readdirSync(instanceDir)).toEqual(
        expect.arrayContaining(["disk", "kernel", "ramdisk", "console.log"]),
      );
      const disk = await new QemuImg().info(join(instanceDir, "disk"));
      expect(disk.backingFilename).toContain(join(instancesPath, "_base"));
    },
    STEP_DEADLINE_MS,
  );

  it(
    "serves the guest's console output through the API, whole and tailed",
    async () => {
      await cluster.waitForReady(id);
      const output = await cluster.api.getConsoleOutput(id);
      expect(output).toMatch(new RegExp(`${cluster.guest.readyLine} [0-9.]+`));
      // The serial console's "\r\n" reaches the API as "\n": Nova strips control characters but newlines.
      expect(output).not.toContain("\r");
      // The last lines, as Nova's compute cuts them (the guest is quiet once it printed its ready line; a
      // quiet kernel prints nothing before it).
      const lines = output.split("\n");
      expect(await cluster.api.getConsoleOutput(id, 1)).toBe(lines.at(-1));
      expect(await cluster.api.getConsoleOutput(id, lines.length)).toBe(output);
      expect(await cluster.api.getConsoleOutput(id, 0)).toBe("");
    },
    STEP_DEADLINE_MS,
  );

  it(
    "soft-reboots: the guest shuts itself down on the ACPI button and a new QEMU boots it",
    async () => {
      const before = (await cluster.domain(id)).id;
      const stopped = stops(id).length;
      await cluster.api.rebootServer(id, "SOFT");
      await cluster.settledAt(id, "ACTIVE");
      expect(await nextStop(id, stopped)).toBe(STOPPED_SHUTDOWN);
      expect((await cluster.domain(id)).id).not.toBe(before);
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
      // virtlogd starts the log afresh with each QEMU: a ready line now is the new boot's.
      await cluster.waitForReady(id);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "hard-reboots: the domain is destroyed and a new QEMU boots the guest",
    async () => {
      const before = (await cluster.domain(id)).id;
      const stopped = stops(id).length;
      await cluster.api.rebootServer(id, "HARD");
      await cluster.settledAt(id, "ACTIVE");
      expect(await nextStop(id, stopped)).toBe(STOPPED_DESTROYED);
      expect((await cluster.domain(id)).id).not.toBe(before);
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
      await cluster.waitForReady(id);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "os-stop: SHUTOFF, and the domain is shut off (gracefully, by the guest itself)",
    async () => {
      const stopped = stops(id).length;
      await cluster.api.stopServer(id);
      const server = await cluster.settledAt(id, "SHUTOFF");
      expect(server["OS-EXT-STS:power_state"]).toBe(4);
      expect(await nextStop(id, stopped)).toBe(STOPPED_SHUTDOWN);
      expect(await cluster.domainState(id)).toBe(DomainState.SHUTOFF);
      expect(await cluster.libvirt.domainIsActive(await cluster.domain(id))).toBe(false);
      // The log of the run that just ended is still served: the guest saw the power button.
      expect(await cluster.api.getConsoleOutput(id)).toContain("power button pressed: powering off");
    },
    STEP_DEADLINE_MS,
  );

  it(
    "os-start: ACTIVE, the domain runs and the guest boots",
    async () => {
      await cluster.api.startServer(id);
      await cluster.settledAt(id, "ACTIVE");
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
      await cluster.waitForReady(id);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "pause and unpause: PAUSED with the domain paused, then ACTIVE with it running",
    async () => {
      await cluster.api.pauseServer(id);
      const paused = await cluster.settledAt(id, "PAUSED");
      expect(paused["OS-EXT-STS:power_state"]).toBe(3);
      expect(await cluster.domainState(id)).toBe(DomainState.PAUSED);
      await cluster.api.unpauseServer(id);
      await cluster.settledAt(id, "ACTIVE");
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "deletes: 404 from the API, no domain left in libvirt, no instance folder or overlay on disk",
    async () => {
      await cluster.api.deleteServer(id);
      await cluster.gone(id);
      const lookup = await cluster.domain(id).catch((e: unknown) => e);
      expect(LibvirtError.hasVirCode(lookup, VirErrorNumber.NO_DOMAIN)).toBe(true);
      expect((await cluster.libvirt.listAllDomains()).map((d) => d.uuid)).not.toContain(id);
      expect(await cluster.ourDomains()).toEqual([]);
      expect(existsSync(join(instancesPath, id))).toBe(false);
      // Only the shared image cache stays, as Nova's image cache manager keeps bases until they age out.
      expect(readdirSync(instancesPath)).toEqual(["_base"]);
      const gone = await cluster.api.getConsoleOutput(id).catch((e: unknown) => e);
      expect(ComputeApiError.isInstance(gone) && gone.status).toBe(404);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "stops every process with exit code 0 on SIGTERM",
    async () => {
      const live = procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
      expect(live.map((p) => p.name).sort()).toEqual(["api", "compute", "conductor", "scheduler"]);
      for (const p of live) p.child.kill("SIGTERM");
      const codes = await Promise.all(live.map(async (p) => [p.name, await exitOf(p)] as const));
      expect(codes.filter(([, code]) => code !== 0)).toEqual([]);
    },
    STEP_DEADLINE_MS,
  );
});
