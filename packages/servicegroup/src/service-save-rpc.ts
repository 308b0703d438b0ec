import { type NovaObjectPrimitive, type Service, ServiceCodec } from "@nova/objects";
import type { HeartbeatRecorder, RecordedHeartbeat } from "./heartbeat-recorder.js";
import type { HeartbeatReport } from "./heartbeat-store.js";
import type { HeartbeatSender } from "./service-group.js";
import type { ServiceKey } from "./service-record.js";

/** Sends `object_action` to the conductor and returns its `[updates, result]` (ConductorAPI.objectAction fits). */
export type ObjectActionSend = (
  objinst: NovaObjectPrimitive,
  objmethod: string,
) => Promise<[Record<string, unknown>, unknown]>;

/**
 * The db driver's sender for a service without database access (nova-compute): each report is Nova's own
 * heartbeat, `object_action(Service.save)` with `report_count` as the only change, so a real nova-conductor
 * records it too. The service's row (as the conductor last returned it) is kept and updated from each reply.
 */
export class ServiceSaveHeartbeatSender implements HeartbeatSender {
  private row: Partial<Service>;

  /** `row` is the service's record as loaded at start (Service.get_by_host_and_binary or create). */
  constructor(
    private readonly send: ObjectActionSend,
    row: Partial<Service>,
  ) {
    this.row = { ...row };
  }

  /** The service row as last confirmed by the conductor. */
  get service(): Partial<Service> {
    return { ...this.row };
  }

  /** {@inheritDoc HeartbeatSender.sendReport} */
  async sendReport(_service: ServiceKey, report: HeartbeatReport): Promise<RecordedHeartbeat> {
    const objinst = ServiceCodec.toPrimitive(
      { ...this.row, report_count: report.reportCount },
      { changes: ["report_count"] },
    );
    const [updates] = await this.send(objinst, "save");
    const changed = ServiceCodec.decodeFields(updates);
    this.row = { ...this.row, ...changed, report_count: report.reportCount };
    const lastSeenUp = changed.last_seen_up?.getTime() ?? this.row.last_seen_up?.getTime();
    const updatedAt = changed.updated_at?.getTime() ?? this.row.updated_at?.getTime() ?? lastSeenUp;
    if (lastSeenUp === undefined || updatedAt === undefined) {
      throw new TypeError("the conductor's reply to Service.save carried no last_seen_up");
    }
    return { lastSeenUp, updatedAt };
  }
}

/**
 * The conductor's handling of `object_action(Service.save)` when only report_count changed: the heartbeat
 * goes through the batching recorder and the reply is Nova's `[updates, null]` with the new timestamps.
 * Returns undefined for any other save, which the conductor handles as a plain object save.
 */
export async function recordServiceSaveHeartbeat(
  recorder: HeartbeatRecorder,
  objinst: unknown,
): Promise<[Record<string, unknown>, null] | undefined> {
  const service = ServiceCodec.fromPrimitive(objinst, "objinst");
  const changes = (objinst as { "nova_object.changes"?: unknown })["nova_object.changes"];
  const onlyReportCount = Array.isArray(changes) && changes.length === 1 && changes[0] === "report_count";
  if (!onlyReportCount) return undefined;
  if (
    typeof service.host !== "string" ||
    typeof service.binary !== "string" ||
    typeof service.report_count !== "number"
  ) {
    throw new TypeError("a Service.save heartbeat needs host, binary and report_count");
  }
  const recorded = await recorder.record({
    host: service.host,
    binary: service.binary,
    reportCount: service.report_count,
  });
  const updates = ServiceCodec.encodeFields({
    last_seen_up: new Date(recorded.lastSeenUp),
    updated_at: new Date(recorded.updatedAt),
  });
  return [{ ...updates, obj_what_changed: [] }, null];
}

/**
 * Whether an RPC request to the conductor is a heartbeat (`object_action(Service.save)` changing only
 * report_count), read from the raw message without decoding it, so a server can route heartbeats to a
 * pool of their own.
 */
export function isServiceSaveHeartbeat(request: { method: string; args: Record<string, unknown> }): boolean {
  if (request.method !== "object_action" || request.args.objmethod !== "save") return false;
  const objinst = request.args.objinst as Record<string, unknown> | null | undefined;
  if (typeof objinst !== "object" || objinst === null) return false;
  const changes = objinst["nova_object.changes"];
  return (
    objinst["nova_object.name"] === "Service" &&
    Array.isArray(changes) &&
    changes.length === 1 &&
    changes[0] === "report_count"
  );
}
