// @nova/virt: the contract between nova-compute and a hypervisor, and a fake hypervisor.

/** The driver interface nova-compute calls, and the inputs of its verbs. */
export type {
  ComputeDriver,
  DestroyOptions,
  InjectedFile,
  PowerOffOptions,
  PowerOnOptions,
  RebootOptions,
  RebootType,
  RescueRequest,
  SnapshotRequest,
  SnapshotResult,
  SnapshotStep,
  SpawnRequest,
} from "./compute-driver.js";
/** What a compute driver named in nova.conf is built with, and the methods it must have. */
export {
  COMPUTE_DRIVER_METHODS,
  type ComputeDriverClass,
  type ComputeDriverContext,
  missingDriverMethods,
} from "./compute-driver-plugin.js";
/** Not enough capacity left on the host (retryable elsewhere). */
export { ComputeResourcesUnavailableError } from "./errors/compute-resources-unavailable.js";
/** The guest has no console log. */
export { ConsoleNotAvailableError } from "./errors/console-not-available.js";
/** A driver call that did not finish in time (the compute gave up on it). */
export { DriverCallTimeoutError } from "./errors/driver-call-timeout.js";
/** The hypervisor connection is broken (retryable). */
export { HypervisorUnavailableError } from "./errors/hypervisor-unavailable.js";
/** The image is not in the catalog. */
export { ImageNotFoundError } from "./errors/image-not-found.js";
/** The image cannot be used (checksum, format, size). */
export { ImageUnacceptableError } from "./errors/image-unacceptable.js";
/** The guest already exists. */
export { InstanceExistsError } from "./errors/instance-exists.js";
/** The guest's state does not allow the operation. */
export { InstanceInvalidStateError } from "./errors/instance-invalid-state.js";
/** The guest is not on the hypervisor. */
export { InstanceNotFoundError } from "./errors/instance-not-found.js";
/** Power off failed even by force. */
export { InstancePowerOffFailureError } from "./errors/instance-power-off-failure.js";
/** Reboot failed. */
export { InstanceRebootFailureError } from "./errors/instance-reboot-failure.js";
/** A live migration stopped by an abort (the guest stays on the source). */
export { LiveMigrationAbortedError } from "./errors/live-migration-aborted.js";
/** The driver does not do the operation asked (Nova's NotImplementedError). */
export { OperationNotSupportedError } from "./errors/operation-not-supported.js";
/** Spawning failed on this host (retryable elsewhere). */
export { SpawnFailedError } from "./errors/spawn-failed.js";
/** The base of driver errors and the code union to switch on. */
export { VirtError, type VirtErrorCode, type VirtErrorOptions } from "./errors/virt-error.js";
/** The fake driver: a simulated host, as Nova's fake driver. */
export { FakeDriver, type FakeDriverOptions, MAX_CONSOLE_BYTES } from "./fake/fake-driver.js";
/** Failures the fake driver can be told to raise. */
export {
  FAKE_DRIVER_OPERATIONS,
  type FakeDriverOperation,
  type InjectedFailure,
} from "./fake/injected-failure.js";
/** Lifecycle events drivers report, and the power state each implies. */
export {
  type LifecycleEvent,
  type LifecycleListener,
  type LifecycleTransition,
  powerStateAfter,
} from "./lifecycle-event.js";
/** A listener set for drivers to emit lifecycle events through. */
export { LifecycleListeners } from "./lifecycle-listeners.js";
/** What the destination's finish_migration takes. */
export type { FinishMigrationRequest } from "./migration-requests.js";
/** A host's capacity and usage. */
export type { AvailableResource } from "./model/available-resource.js";
/** The size of a guest. */
export type { DriverFlavor } from "./model/flavor.js";
/** Image metadata and the properties drivers read. */
export type { ImageMeta, ImageProperties } from "./model/image-meta.js";
/** Driver inputs: instance, flavor, image metadata, network info. */
export type { DriverInstance, InstanceRef } from "./model/instance.js";
/** Driver outputs: one guest's state, the host's resources. */
export type { InstanceInfo } from "./model/instance-info.js";
/** A guest's NICs. */
export type { FixedIp, Network, NetworkInfo, Subnet, Vif, VifType } from "./model/network-info.js";
/** Nova's power state numbers, their names, and a guard. */
export { isPowerState, PowerState, powerStateName } from "./power-state.js";
/** A driver whose every call is bounded in time, so a hung hypervisor fails the operation, not the compute. */
export { type DriverTimeoutOptions, withCallTimeouts } from "./timed-driver.js";
