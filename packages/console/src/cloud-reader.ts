import type { ComputeClient } from "@nova/client";
import type { CloudState, HypervisorRow, InstanceRow, ServiceRow } from "./console-state.js";

/** Reads what the cloud looks like now. */
export interface CloudReader {
  /** Services, hypervisors and instances now; a failed read says why in `error`. */
  read(): Promise<CloudState>;
}

/**
 * Reads services, hypervisors and instances from the Compute API as an admin (os-services,
 * os-hypervisors/detail, servers/detail with all_tenants), so the console works over any nova-api.
 */
export function computeApiCloudReader(client: ComputeClient, now: () => number = Date.now): CloudReader {
  return {
    async read() {
      const at = now();
      try {
        const [services, hypervisors, servers] = await Promise.all([
          client.request("GET", "/os-services"),
          client.request("GET", "/os-hypervisors/detail"),
          client.request("GET", "/servers/detail", { query: { all_tenants: 1 } }),
        ]);
        return {
          read_at: at,
          services: list(services.body, "services").map((s) => serviceRow(s, at)),
          hypervisors: list(hypervisors.body, "hypervisors").map(hypervisorRow),
          instances: list(servers.body, "servers").map(instanceRow),
          error: null,
        };
      } catch (err) {
        return {
          read_at: at,
          services: [],
          hypervisors: [],
          instances: [],
          error: err instanceof Error ? err.message : String(err),
        };
      }
    },
  };
}

type Json = Record<string, unknown>;

function list(body: unknown, key: string): Json[] {
  const v = (body as Json | undefined)?.[key];
  return Array.isArray(v) ? (v.filter((x) => typeof x === "object" && x !== null) as Json[]) : [];
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function num(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

function serviceRow(s: Json, now: number): ServiceRow {
  // The API's updated_at is UTC without a zone suffix (Nova's format).
  const updated =
    typeof s.updated_at === "string"
      ? Date.parse(/Z|[+-]\d\d:?\d\d$/.test(s.updated_at) ? s.updated_at : `${s.updated_at}Z`)
      : Number.NaN;
  return {
    binary: str(s.binary),
    host: str(s.host),
    state: str(s.state),
    status: str(s.status),
    heartbeat_age_s: Number.isNaN(updated) ? null : Math.max(0, Math.round((now - updated) / 1000)),
  };
}

function hypervisorRow(h: Json): HypervisorRow {
  return {
    name: str(h.hypervisor_hostname),
    state: str(h.state),
    vcpus_used: num(h.vcpus_used),
    vcpus: num(h.vcpus),
    memory_mb_used: num(h.memory_mb_used),
    memory_mb: num(h.memory_mb),
    running_vms: num(h.running_vms),
  };
}

function instanceRow(s: Json): InstanceRow {
  const task = s["OS-EXT-STS:task_state"];
  const host = s["OS-EXT-SRV-ATTR:host"];
  return {
    id: str(s.id),
    name: str(s.name),
    status: str(s.status),
    task_state: typeof task === "string" ? task : null,
    host: typeof host === "string" ? host : null,
  };
}
