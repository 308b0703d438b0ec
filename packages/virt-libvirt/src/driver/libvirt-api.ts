import type { LibvirtClient } from "../libvirt-client.js";

/**
 * The part of LibvirtClient the driver uses. The driver depends on this shape, not the class, so its logic can
 * be tested against a scripted connection (ScriptedLibvirt in @nova/virt-libvirt/test).
 */
export type LibvirtApi = Pick<
  LibvirtClient,
  | "closed"
  | "close"
  | "onClose"
  | "getType"
  | "getVersion"
  | "getHostname"
  | "getCapabilities"
  | "nodeGetInfo"
  | "nodeGetMemoryStats"
  | "listAllDomains"
  | "domainLookupByUuid"
  | "domainDefineXml"
  | "domainCreate"
  | "domainDestroy"
  | "domainShutdown"
  | "domainSuspend"
  | "domainResume"
  | "domainManagedSave"
  | "domainUndefine"
  | "domainGetInfo"
  | "domainGetState"
  | "domainGetXmlDesc"
  | "onLifecycleEvent"
>;
