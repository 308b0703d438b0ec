// @nova/virt-libvirt: Nova's libvirt driver, speaking libvirt's remote protocol from TypeScript.

/** `[libvirt]` options parsed with zod, with Nova's names. */
export { type LibvirtDriverConfig, libvirtDriverConfigSchema, parseLibvirtDriverConfig } from "./config.js";
/** The libvirt connection the driver needs (LibvirtClient, or a scripted one in tests). */
export type { LibvirtApi } from "./driver/libvirt-api.js";
/** The ComputeDriver over libvirt, and what it is built from. */
export { LibvirtDriver, type LibvirtDriverOptions } from "./driver/libvirt-driver.js";
/** Image catalogues the driver downloads from: Glance, or local files. */
export { GlanceImageSource, type GlanceImageSourceOptions } from "./images/glance-image-source.js";
export {
  type ImageChecksum,
  type ImageDownload,
  type ImageSource,
  type LocalImage,
  type LocalImageLookup,
  LocalImageSource,
} from "./images/image-source.js";
/** qemu-img, as the driver runs it. */
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
export { VirErrorDomain, VirErrorNumber } from "./rpc/vir-error-codes.js";
/** Domain XML from typed guest config. */
export { buildDomainXml, NOVA_METADATA_NS } from "./xml/domain-xml.js";
export type {
  CpuMode,
  GuestConfig,
  GuestCpu,
  GuestDisk,
  GuestGraphics,
  GuestInterface,
  GuestOs,
  GuestSerial,
  GuestTimer,
  NovaMetadata,
  VirtType,
} from "./xml/guest-config.js";
