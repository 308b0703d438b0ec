import type { DriverFlavor } from "./flavor.js";

/** Enough to find a guest on the hypervisor: every verb but spawn takes this. */
export interface InstanceRef {
  /** The instance's uuid (the guest's uuid on the hypervisor too). */
  readonly uuid: string;
  /** The hypervisor-side name (Nova's `instance_name_template`, e.g. `instance-0000002a`). */
  readonly name: string;
}

/** A guest as the compute manager hands it to a driver's spawn (the Instance fields drivers read). */
export interface DriverInstance extends InstanceRef {
  /** The user-visible name. */
  readonly displayName: string;
  /** The owning project's id. */
  readonly projectId: string;
  /** The owning user's id. */
  readonly userId: string;
  /** The guest's size. */
  readonly flavor: DriverFlavor;
  /** The image the guest boots from, when it boots from an image. */
  readonly imageRef?: string;
  /** Guest hostname (sanitised display name in Nova). */
  readonly hostname?: string;
  /** When the instance record was created, in milliseconds since the epoch. */
  readonly createdAt?: number;
  /** User metadata (`POST /servers` `metadata`). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The project and user names, for the hypervisor's metadata element. */
  readonly projectName?: string;
  /** See {@link DriverInstance.projectName}. */
  readonly userName?: string;
}
