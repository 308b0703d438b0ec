import type { DriverInstance, InstanceRef } from "../model/instance.js";

/** Every operation of the fake driver (each can be delayed or made to fail), for options that name them. */
export const FAKE_DRIVER_OPERATIONS = [
  "spawn",
  "destroy",
  "reboot",
  "powerOff",
  "powerOn",
  "pause",
  "unpause",
  "suspend",
  "resume",
  "getInfo",
  "listInstances",
  "getConsoleOutput",
  "getAvailableResource",
  "prepResize",
  "migrateDiskAndPowerOff",
  "finishMigration",
  "confirmMigration",
  "finishRevertMigration",
  // Live migration.
  "checkCanLiveMigrateDestination",
  "checkCanLiveMigrateSource",
  "preLiveMigration",
  "liveMigration",
  "postLiveMigrationAtDestination",
  "rollbackLiveMigrationAtDestination",
  // Lifecycle verbs (rebuild, shelve, rescue, snapshots).
  "snapshot",
  "rescue",
  "unrescue",
] as const;

/** The fake driver's verbs, each of which can be made to fail. */
export type FakeDriverOperation = (typeof FAKE_DRIVER_OPERATIONS)[number];

/** A failure to inject into the fake driver. */
export interface InjectedFailure {
  /** The verb that fails. */
  readonly operation: FakeDriverOperation;
  /**
   * The error to throw, or a function making it. Defaults to what a real driver would raise: SpawnFailedError
   * for spawn, InstancePowerOffFailureError, InstanceRebootFailureError, else HypervisorUnavailableError.
   */
  readonly error?: Error | ((instance: InstanceRef | undefined) => Error);
  /** How many calls fail before the failure is used up (default 1; Infinity for all). */
  readonly times?: number;
  /** Only calls for this instance fail. */
  readonly instanceUuid?: string;
  /**
   * Only calls for instances this accepts fail (spawn passes the whole DriverInstance, so its display name can
   * be matched; other verbs pass the InstanceRef). Calls it rejects do not use the failure up.
   */
  readonly matches?: (instance: InstanceRef | DriverInstance) => boolean;
}
