import { FakeClock } from "@nova/core/test";
import type { ImageStore } from "@nova/image-catalog";
import {
  type ConsumerHandle,
  type Delivery,
  type DriverState,
  FakeBroker,
  type MessagingDriver,
  type Publication,
  type Subscription,
  Transport,
} from "@nova/messaging";
import { FakeDriver as FakeMessagingDriver } from "@nova/messaging/test";
import type { Instance } from "@nova/objects";
import { adminContext, ComputeAPI, type NovaContext } from "@nova/rpcapi";
import { FakeDriver } from "@nova/virt";
import { vi } from "vitest";
import { type ComputeConfigInput, type ComputeService, createComputeService } from "../src/index.js";
import { FakeConductor, novaInstance, SchedulerFanoutRecorder } from "../src/test/index.js";

/** A fake:// messaging driver whose connection state the test drives (the real fake never changes state). */
export class StatefulMessagingDriver implements MessagingDriver {
  readonly supportsDirectReplyTo = false;
  private readonly inner: FakeMessagingDriver;
  private readonly listeners = new Set<(s: DriverState) => void>();
  constructor(broker: FakeBroker) {
    this.inner = new FakeMessagingDriver(broker);
  }
  publish(p: Publication): Promise<void> {
    return this.inner.publish(p);
  }
  subscribe(s: Subscription, onDelivery: (d: Delivery) => void): Promise<ConsumerHandle> {
    return this.inner.subscribe(s, onDelivery);
  }
  onStateChange(listener: (s: DriverState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  /** Tells the listeners the connection went down or came back. */
  emit(state: DriverState): void {
    for (const l of this.listeners) l(state);
  }
}

export interface Harness {
  host: string;
  clock: FakeClock;
  driver: FakeDriver;
  messagingDriver: StatefulMessagingDriver;
  conductor: FakeConductor;
  scheduler: SchedulerFanoutRecorder;
  service: ComputeService;
  computeApi: ComputeAPI;
  /** The transport the test's peers (conductor, scheduler, API client) use. */
  peer: Transport;
  ctx: NovaContext;
  close(): Promise<void>;
  /** Builds an instance on the host and records it ACTIVE as the conductor would; returns the row. */
  bootActive(overrides?: Partial<Instance>): Promise<Partial<Instance>>;
  /** Sets fields of the conductor's row (what the API does before casting an action) and returns the row. */
  apiSets(uuid: string, fields: Partial<Instance>): Partial<Instance>;
  /** Waits until the compute finished the action event `event` for the instance. */
  finished(uuid: string, event: string, count?: number): Promise<void>;
}

export async function startHarness(
  opts: {
    driver?: FakeDriver;
    config?: ComputeConfigInput;
    host?: string;
    start?: boolean;
    images?: ImageStore;
  } = {},
): Promise<Harness> {
  const host = opts.host ?? "cpu-1";
  const broker = new FakeBroker();
  const clock = new FakeClock();
  const messagingDriver = new StatefulMessagingDriver(broker);
  const computeTransport = new Transport("fake://", { driver: messagingDriver });
  const peer = new Transport("fake://", { fakeBroker: broker });
  const conductor = new FakeConductor(peer, () => clock.now());
  await conductor.start();
  const scheduler = new SchedulerFanoutRecorder(peer);
  await scheduler.start();
  const driver = opts.driver ?? new FakeDriver();
  const service = createComputeService({
    host,
    transport: computeTransport,
    driver,
    clock,
    config: opts.config ?? {},
    ...(opts.images ? { images: opts.images } : {}),
  });
  if (opts.start !== false) await service.start();
  const computeApi = new ComputeAPI({ transport: peer, rpcResponseTimeout: 20 });
  const ctx = adminContext({ user_id: "admin", project_id: "admin" });
  const h: Harness = {
    host,
    clock,
    driver,
    messagingDriver,
    conductor,
    scheduler,
    service,
    computeApi,
    peer,
    ctx,
    async close() {
      await service.stop();
      await scheduler.stop();
      await conductor.stop();
      await computeTransport.close();
      await peer.close();
    },
    async bootActive(overrides = {}) {
      const row = conductor.seedInstance(novaInstance(overrides));
      const built = await computeApi.buildAndRunInstance(ctx, host, {
        instance: row,
        image: { id: row.image_ref, name: "cirros", disk_format: "qcow2", properties: {} },
        request_spec: {},
        node: host,
      });
      return h.apiSets(row.uuid!, {
        vm_state: "active",
        task_state: null,
        power_state: built.power_state as Instance["power_state"],
        launched_at: new Date(built.launched_at),
      });
    },
    apiSets(uuid, fields) {
      const row = conductor.instances.get(uuid);
      if (!row) throw new Error(`no instance ${uuid}`);
      Object.assign(row, fields);
      return { ...row };
    },
    async finished(uuid, event, count = 1) {
      await vi.waitFor(
        () => {
          const n = conductor.events.filter(
            (e) => e.instanceUuid === uuid && e.event === event && e.phase === "finish",
          ).length;
          if (n < count) throw new Error(`${event} not finished yet`);
        },
        { timeout: 15_000, interval: 5 },
      );
      await service.manager.settled();
    },
  };
  return h;
}
