/** Image properties drivers read (Nova's ImageMetaProps, the subset we act on). */
export interface ImageProperties {
  /** Bus for the root disk: "virtio" (default), "scsi", "ide", "sata". */
  readonly hwDiskBus?: string;
  /** NIC model: "virtio" (default), "e1000", "rtl8139". */
  readonly hwVifModel?: string;
  /** Machine type, e.g. "pc" or "q35". */
  readonly hwMachineType?: string;
  /** Video model: "virtio", "vga", "cirrus", "none". */
  readonly hwVideoModel?: string;
  /** Image id of a kernel to boot directly (AMI-style images). */
  readonly kernelId?: string;
  /** Image id of an initial ramdisk to boot with `kernelId`. */
  readonly ramdiskId?: string;
  /** Kernel command line for direct kernel boot (Nova's `os_command_line`). */
  readonly osCommandLine?: string;
  /** "linux" or "windows": decides the guest clock offset, as in Nova. */
  readonly osType?: string;
  /** Architecture the image needs, e.g. "x86_64". */
  readonly hwArchitecture?: string;
}

/** An image as the compute manager hands it to a driver (Nova's ImageMeta). */
export interface ImageMeta {
  /** The image id; absent for boot-from-volume. */
  readonly id?: string;
  /** The image's name. */
  readonly name?: string;
  /** "qcow2", "raw", "aki" (kernel), "ari" (ramdisk), "ami", ... */
  readonly diskFormat?: string;
  /** "bare", "ovf", "aki", ... (Glance's `container_format`). */
  readonly containerFormat?: string;
  /** Size in bytes. */
  readonly size?: number;
  /** MD5 as Glance reports it, or a "sha256:<hex>" digest. */
  readonly checksum?: string;
  /** Minimum root disk (GiB) and RAM (MiB) the image needs. */
  readonly minDisk?: number;
  /** See {@link ImageMeta.minDisk}. */
  readonly minRam?: number;
  /** The image properties drivers read (`hw_*`, `os_*`, kernel and ramdisk ids). */
  readonly properties: ImageProperties;
}
