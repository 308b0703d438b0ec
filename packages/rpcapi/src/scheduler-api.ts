import type { RpcClient } from "@nova/messaging";
import { type RequestSpec, RequestSpecCodec, type Selection, SelectionCodec } from "@nova/objects";
import { type NovaContext, toWireContext } from "./request-context.js";
import { makeRpcClient, type RpcApiOptions } from "./rpc-client-options.js";

/** nova-scheduler's topic and the RPC API version this code implements (Nova Zed: 4.5). */
export const SCHEDULER_TOPIC = "scheduler";
/** The scheduler RPC API version this client sends. */
export const SCHEDULER_API_VERSION = "4.5";

/** The hosts chosen for one instance: the chosen one first, then its alternates in the same cell. */
export type SelectionList = Selection[];

/** What the aggregate casts carry of an aggregate (sent as Nova's Aggregate object, version 1.3). */
export interface AggregateCastValues {
  /** Database id. */
  id: number;
  /** Its uuid. */
  uuid: string;
  /** Its name. */
  name: string;
  /** Host names in it. */
  hosts: readonly string[];
  /** Its metadata. */
  metadata: Readonly<Record<string, string>>;
  /** When it was created. */
  createdAt: Date | null;
  /** When it last changed. */
  updatedAt: Date | null;
}

// Nova's DateTimeField primitive (utils.isotime).
const isoTime = (d: Date | null) => (d ? `${d.toISOString().slice(0, 19)}Z` : null);

function aggregatePrimitive(a: AggregateCastValues): Record<string, unknown> {
  return {
    "nova_object.name": "Aggregate",
    "nova_object.namespace": "nova",
    "nova_object.version": "1.3",
    "nova_object.data": {
      id: a.id,
      uuid: a.uuid,
      name: a.name,
      hosts: [...a.hosts],
      metadata: { ...a.metadata },
      created_at: isoTime(a.createdAt),
      updated_at: isoTime(a.updatedAt),
      deleted_at: null,
      deleted: false,
    },
  };
}

/** The client of nova-scheduler (Nova's `SchedulerAPI`), used by the conductor and by computes' fanouts. */
export class SchedulerAPI {
  private readonly client: RpcClient;
  private readonly longTimeout: number;
  private readonly monitorTimeout: number;

  /** Calls the `scheduler` topic over `opts.transport`. */
  constructor(opts: RpcApiOptions) {
    this.client = makeRpcClient(opts, SCHEDULER_TOPIC, "4.0");
    this.longTimeout = opts.longRpcTimeout ?? 1800;
    this.monitorTimeout = opts.rpcResponseTimeout ?? 60;
  }

  /**
   * Picks a host (and alternates) per instance and claims its resources. A long call with a call monitor,
   * as Nova's: the scheduler may take long on a big cloud, but must keep saying it is alive.
   */
  async selectDestinations(
    ctx: NovaContext,
    specObj: Partial<RequestSpec>,
    instanceUuids: string[],
  ): Promise<SelectionList[]> {
    const cctxt = this.client.prepare({
      version: SCHEDULER_API_VERSION,
      timeout: this.longTimeout,
      callMonitorTimeout: this.monitorTimeout,
    });
    const result = await cctxt.call(toWireContext(ctx), "select_destinations", {
      instance_uuids: instanceUuids,
      spec_obj: RequestSpecCodec.toPrimitive(specObj),
      return_objects: true,
      return_alternates: true,
    });
    if (!Array.isArray(result)) throw new TypeError("select_destinations returned no list of selections");
    return result.map((perInstance, i) => {
      if (!Array.isArray(perInstance)) throw new TypeError(`select_destinations: entry ${i} is not a list`);
      return perInstance.map(
        (p, j) => SelectionCodec.fromPrimitive(p, `selections[${i}][${j}]`) as Selection,
      );
    });
  }

  /** Tells every scheduler which instances a host now has (fanout). */
  updateInstanceInfo(ctx: NovaContext, hostName: string, instanceInfo: unknown): Promise<void> {
    return this.client
      .prepare({ version: "4.2", fanout: true })
      .cast(toWireContext(ctx), "update_instance_info", { host_name: hostName, instance_info: instanceInfo });
  }

  /** Tells every scheduler an instance left a host (fanout). */
  deleteInstanceInfo(ctx: NovaContext, hostName: string, instanceUuid: string): Promise<void> {
    return this.client
      .prepare({ version: "4.2", fanout: true })
      .cast(toWireContext(ctx), "delete_instance_info", { host_name: hostName, instance_uuid: instanceUuid });
  }

  /** Tells every scheduler aggregates were created or changed (fanout, 4.1). */
  updateAggregates(ctx: NovaContext, aggregates: readonly AggregateCastValues[]): Promise<void> {
    return this.client
      .prepare({ version: "4.1", fanout: true })
      .cast(toWireContext(ctx), "update_aggregates", { aggregates: aggregates.map(aggregatePrimitive) });
  }

  /** Tells every scheduler an aggregate was deleted (fanout, 4.1). */
  deleteAggregate(ctx: NovaContext, aggregate: AggregateCastValues): Promise<void> {
    return this.client
      .prepare({ version: "4.1", fanout: true })
      .cast(toWireContext(ctx), "delete_aggregate", { aggregate: aggregatePrimitive(aggregate) });
  }

  /** Sends a host's full instance list so schedulers can correct drift (fanout). */
  syncInstanceInfo(ctx: NovaContext, hostName: string, instanceUuids: string[]): Promise<void> {
    return this.client
      .prepare({ version: "4.2", fanout: true })
      .cast(toWireContext(ctx), "sync_instance_info", { host_name: hostName, instance_uuids: instanceUuids });
  }
}
