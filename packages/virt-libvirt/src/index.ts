// @nova/virt-libvirt: Nova's libvirt driver, speaking libvirt's remote protocol from TypeScript.

/** `[libvirt]` options parsed with zod, with Nova's names. */
export { type LibvirtDriverConfig, libvirtDriverConfigSchema, parseLibvirtDriverConfig } from "./config.js";
export { Guest } from "./driver/guest.js";
/** Host and Guest wrappers over the connection, as Nova's. */
export { Host } from "./driver/host.js";
/** The libvirt connection the driver needs (LibvirtClient, or a scripted one in tests). */
export type { LibvirtApi } from "./driver/libvirt-api.js";
/** The ComputeDriver over libvirt, and what it is built from. */
export { LibvirtDriver, type LibvirtDriverOptions } from "./driver/libvirt-driver.js";
/** libvirt lifecycle events to Nova transitions, with Nova's delayed "stopped". */
export { LifecycleEventFilter, transitionOf } from "./driver/lifecycle-event-filter.js";
/** libvirt's domain state to Nova's power state. */
export { powerStateOf } from "./driver/power-state-mapping.js";
export { GlanceImageSource, type GlanceImageSourceOptions } from "./images/glance-image-source.js";
export { type CachedImage, ImageCache } from "./images/image-cache.js";
/** Images: the catalog interface, a local and a Glance catalog, the base cache, instance disks, qemu-img. */
export type { ImageChecksum, ImageDownload, ImageSource, LocalImage } from "./images/image-source.js";
export { LocalImageSource } from "./images/image-source.js";
export { type ImagesType, type InstanceFiles, InstanceStorage } from "./images/instance-storage.js";
export { QemuImg, QemuImgError, type QemuImgInfo } from "./images/qemu-img.js";
/** The remote-protocol client: typed procedures over one multiplexed socket. */
export {
  type ConsoleStream,
  DEFAULT_LIBVIRT_SOCKET,
  LibvirtClient,
  type LibvirtClientOptions,
} from "./libvirt-client.js";
/** libvirt's public enums and flags. */
export {
  ConnectFlags,
  CreateFlags,
  DestroyFlags,
  DomainEventType,
  DomainState,
  DomainXmlFlags,
  ListDomainsFlags,
  RebootFlags,
  ShutdownFlags,
  UndefineFlags,
} from "./libvirt-constants.js";
/** libvirt's errors with their numbers kept, and the number and domain tables. */
export { LibvirtError, type LibvirtErrorFields } from "./rpc/libvirt-error.js";
/** Protocol structures returned by the client. */
export type { DomainInfo, DomainLifecycleMessage, DomainRef, NodeInfo } from "./rpc/remote-types.js";
export { VirErrorDomain, VirErrorNumber, virErrorDomainName, virErrorName } from "./rpc/vir-error-codes.js";
/** Domain XML from typed guest config, and the config from an instance. */
export { buildDomainXml, NOVA_METADATA_NS } from "./xml/domain-xml.js";
export type { CpuMode, GuestConfig, VirtType } from "./xml/guest-config.js";
export { DEFAULT_KERNEL_CMDLINE, designGuest, type GuestDesignInput } from "./xml/guest-designer.js";
/** Host capabilities parsed, and Nova's figures derived from them. */
export {
  cpuInfoJson,
  type HostCapabilities,
  parseHostCapabilities,
  supportedInstances,
} from "./xml/host-capabilities.js";
