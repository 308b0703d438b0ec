import type { ApiVersion } from "@nova/client";
import type { ServerRecord } from "../compute-backend.js";
import { statusFromState } from "../instance-states.js";
import type { PolicyTarget } from "../policy/policy-check.js";
import type { RequestContext } from "../request-context.js";
import type { LinkBuilder } from "./links.js";
import { isoTime, naiveIsoTime } from "./time-format.js";

/** What the server views need to know about the request. */
export interface ViewContext {
  version: ApiVersion;
  links: LinkBuilder;
  context: RequestContext;
  /** Whether the caller passes a policy rule (the fields Nova shows by policy: extended attributes, host status). */
  allows(rule: string, target?: PolicyTarget): boolean;
  /** Nova's hostId of a host for a project (a list asks the same few pairs a thousand times). */
  hostId(projectId: string, host: string | null | undefined): string;
}

const PROGRESS_STATUSES = new Set(["ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"]);
const FAULT_STATUSES = new Set(["ERROR", "DELETED"]);

/** The API status of a server record (DELETED once deleted, else Nova's state map). */
export function serverStatus(server: ServerRecord): ReturnType<typeof statusFromState> {
  return server.deleted ? "DELETED" : statusFromState(server.vmState, server.taskState);
}

/** `POST /servers` answer: id, links, disk config and the requested security groups. */
export function serverCreateView(
  server: ServerRecord,
  view: ViewContext,
  requestedSecurityGroups: { name?: string }[] | undefined,
): Record<string, unknown> {
  return {
    id: server.uuid,
    links: view.links.links("servers", server.uuid),
    "OS-DCF:diskConfig": server.autoDiskConfig ? "AUTO" : "MANUAL",
    security_groups: requestedSecurityGroups ?? [{ name: "default" }],
  };
}

/** One entry of `GET /servers`. */
export function serverBasicView(server: ServerRecord, view: ViewContext): Record<string, unknown> {
  if (server.cellDown)
    return { id: server.uuid, status: "UNKNOWN", links: view.links.links("servers", server.uuid) };
  return { id: server.uuid, name: server.name, links: view.links.links("servers", server.uuid) };
}

/** A server in detail, with the fields the microversion and the caller's role allow. */
export function serverDetailView(
  server: ServerRecord,
  view: ViewContext,
  options: { list: boolean },
): Record<string, unknown> {
  const { version, links, context } = view;
  if (server.cellDown) {
    // Nova's partial construct from the instance mapping: all the API database knows of it.
    return {
      id: server.uuid,
      status: "UNKNOWN",
      tenant_id: server.projectId,
      created: isoTime(server.createdAt),
      links: links.links("servers", server.uuid),
    };
  }
  const status = serverStatus(server);
  const out: Record<string, unknown> = {
    id: server.uuid,
    name: server.name,
    status,
    tenant_id: server.projectId,
    user_id: server.userId,
    metadata: server.metadata,
    hostId: view.hostId(server.projectId, server.host),
    image: server.imageRef
      ? { id: server.imageRef, links: [{ rel: "bookmark", href: links.bookmark("images", server.imageRef) }] }
      : "",
    flavor: flavorView(server, view, options.list),
    created: isoTime(server.createdAt),
    // Nova prints "now" for a never-updated instance; the creation time is the truthful value.
    updated: isoTime(server.updatedAt ?? server.createdAt),
    addresses: server.vmState === "building" ? {} : addressesView(server),
    accessIPv4: server.accessIPv4 ?? "",
    accessIPv6: server.accessIPv6 ?? "",
    links: links.links("servers", server.uuid),
    "OS-DCF:diskConfig": server.autoDiskConfig ? "AUTO" : "MANUAL",
  };
  if (FAULT_STATUSES.has(status) && server.fault) {
    const fault: Record<string, unknown> = {
      code: server.fault.code,
      created: isoTime(server.fault.createdAt),
      message: server.fault.message,
    };
    // Nova hides the details (a traceback) of 500 faults from non-admins.
    if (server.fault.details && (context.isAdmin || server.fault.code !== 500))
      fault.details = server.fault.details;
    out.fault = fault;
  }
  if (PROGRESS_STATUSES.has(status)) out.progress = server.progress;
  out["OS-EXT-AZ:availability_zone"] = server.availabilityZone ?? "";
  out.config_drive = server.configDrive ? "True" : "";
  out.key_name = server.keyName;
  out["OS-SRV-USG:launched_at"] = server.launchedAt ? naiveIsoTime(server.launchedAt) : null;
  out["OS-SRV-USG:terminated_at"] = server.terminatedAt ? naiveIsoTime(server.terminatedAt) : null;
  if (server.securityGroups.length > 0) out.security_groups = server.securityGroups.map((name) => ({ name }));
  // Nova checks these for the server's project on show, and once for the caller's own project on a list.
  const target = options.list ? undefined : { project_id: server.projectId };
  const extendedAttributes = view.allows("os_compute_api:os-extended-server-attributes", target);
  if (extendedAttributes) {
    out["OS-EXT-SRV-ATTR:host"] = server.host;
    out["OS-EXT-SRV-ATTR:instance_name"] = server.instanceName;
    out["OS-EXT-SRV-ATTR:hypervisor_hostname"] = server.node;
    if (version.atLeast("2.3")) {
      out["OS-EXT-SRV-ATTR:reservation_id"] = server.reservationId;
      out["OS-EXT-SRV-ATTR:launch_index"] = server.launchIndex;
      out["OS-EXT-SRV-ATTR:hostname"] = server.hostname;
      out["OS-EXT-SRV-ATTR:kernel_id"] = server.kernelId ?? "";
      out["OS-EXT-SRV-ATTR:ramdisk_id"] = server.ramdiskId ?? "";
      out["OS-EXT-SRV-ATTR:root_device_name"] = server.rootDeviceName ?? null;
      out["OS-EXT-SRV-ATTR:user_data"] = server.userData;
    }
  }
  out["OS-EXT-STS:task_state"] = server.taskState;
  out["OS-EXT-STS:vm_state"] = server.vmState;
  out["OS-EXT-STS:power_state"] = server.powerState;
  out["os-extended-volumes:volumes_attached"] = [];
  if (version.atLeast("2.16") && server.hostStatus !== undefined) {
    if (view.allows("os_compute_api:servers:show:host_status", target)) out.host_status = server.hostStatus;
    else if (
      server.hostStatus === "UNKNOWN" &&
      view.allows("os_compute_api:servers:show:host_status:unknown-only", target)
    ) {
      // This rule shows an UNKNOWN status only; any other leaves the field out, as in Nova.
      out.host_status = server.hostStatus;
    }
  }
  if (version.atLeast("2.9")) out.locked = server.locked;
  if (version.atLeast("2.73")) out.locked_reason = server.lockedReason ?? null;
  if (version.atLeast("2.19")) out.description = server.description;
  if (version.atLeast("2.26")) out.tags = server.tags;
  if (version.atLeast("2.63")) out.trusted_image_certificates = null;
  if (version.atLeast("2.90") && !extendedAttributes) out["OS-EXT-SRV-ATTR:hostname"] = server.hostname;
  if (!options.list && version.atLeast("2.71")) out.server_groups = [...(server.serverGroups ?? [])];
  return out;
}

function flavorView(server: ServerRecord, view: ViewContext, list: boolean): Record<string, unknown> {
  const flavor = server.flavor;
  if (view.version.atLeast("2.47")) {
    const out: Record<string, unknown> = {
      vcpus: flavor.vcpus,
      ram: flavor.memoryMb,
      disk: flavor.rootGb,
      ephemeral: flavor.ephemeralGb,
      swap: flavor.swap,
      original_name: flavor.name,
    };
    // Nova checks this for the server's project on show, once for the caller's project on a list.
    const target = list ? undefined : { project_id: server.projectId };
    if (view.allows("os_compute_api:servers:show:flavor-extra-specs", target))
      out.extra_specs = flavor.extraSpecs;
    return out;
  }
  return {
    id: flavor.flavorId,
    links: [{ rel: "bookmark", href: view.links.bookmark("flavors", flavor.flavorId) }],
  };
}

function addressesView(server: ServerRecord): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [network, addresses] of Object.entries(server.addresses)) {
    out[network] = addresses.map((a) => ({
      version: a.version,
      addr: a.addr,
      "OS-EXT-IPS:type": a.type,
      "OS-EXT-IPS-MAC:mac_addr": a.macAddr,
    }));
  }
  return out;
}
