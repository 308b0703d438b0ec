import { type Clock, systemClock } from "@nova/core";
import type { ApiDatabase, CellDatabase, ServiceRecord } from "@nova/db";
import { CELL0_UUID, isServiceUp } from "@nova/objects";
import { parseServiceGroupConfig } from "@nova/servicegroup";
import { ManageUsageError } from "./manage-usage-error.js";
import type { NovaConf } from "./nova-conf.js";

/** One row of `service list`. */
export interface ServiceListRow {
  cell: string;
  binary: string;
  host: string;
  zone: string;
  status: "enabled" | "disabled";
  state: "up" | "down";
  updatedAt: Date | null;
  forcedDown: boolean;
}

/**
 * The services of every mapped cell but cell0 (which runs none), up or down by the servicegroup's rule with
 * `[DEFAULT] service_down_time` (and Nova's correction when it is not above report_interval).
 */
export async function listServices(
  api: ApiDatabase,
  conf: NovaConf,
  filter: { host?: string; binary?: string },
  inCell: <T>(connection: string, fn: (cell: CellDatabase) => Promise<T>) => Promise<T>,
  clock: Pick<Clock, "now"> = systemClock,
): Promise<ServiceListRow[]> {
  const downTime = serviceDownTime(conf);
  const zone = conf.DEFAULT?.default_availability_zone ?? "nova";
  const rows: ServiceListRow[] = [];
  for (const cell of await api.mappings.listCells()) {
    if (cell.uuid === CELL0_UUID) continue;
    const services = await inCell(cell.database_connection, (db) =>
      db.services.list({
        ...(filter.host !== undefined ? { host: filter.host } : {}),
        ...(filter.binary !== undefined ? { binary: filter.binary } : {}),
      }),
    );
    for (const s of services) rows.push(toRow(cell.name ?? cell.uuid, s, zone, downTime, clock.now()));
  }
  return rows;
}

function serviceDownTime(conf: NovaConf): number {
  const raw = conf.DEFAULT ?? {};
  const number = (option: string) => {
    const v = raw[option];
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v.trim())) {
      throw new ManageUsageError(`[DEFAULT] ${option}`, `not an integer: ${JSON.stringify(v)}`);
    }
    return Number(v);
  };
  const reportInterval = number("report_interval");
  const downTime = number("service_down_time");
  return parseServiceGroupConfig({
    ...(reportInterval !== undefined ? { report_interval: reportInterval } : {}),
    ...(downTime !== undefined ? { service_down_time: downTime } : {}),
  }).serviceDownTime;
}

function toRow(
  cell: string,
  s: ServiceRecord,
  zone: string,
  downTime: number,
  nowMs: number,
): ServiceListRow {
  const up = isServiceUp(s, nowMs, downTime);
  return {
    cell,
    binary: s.binary ?? "",
    host: s.host ?? "",
    // As the API's os-services: computes are in the default zone, the other services in "internal".
    zone: s.binary === "nova-compute" ? zone : "internal",
    status: s.disabled ? "disabled" : "enabled",
    state: up ? "up" : "down",
    updatedAt: s.updated_at ?? s.created_at ?? null,
    forcedDown: s.forced_down,
  };
}

/** The rows as an aligned table, header first (the columns of Nova's old `nova-manage service list`). */
export function formatServiceTable(rows: readonly ServiceListRow[]): string[] {
  const header = ["Binary", "Host", "Zone", "Status", "State", "Updated_At", "Forced down", "Cell"];
  const cells = rows.map((r) => [
    r.binary,
    r.host,
    r.zone,
    r.status,
    r.state,
    r.updatedAt ? r.updatedAt.toISOString() : "-",
    r.forcedDown ? "True" : "False",
    r.cell,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), ...cells.map(line)];
}
