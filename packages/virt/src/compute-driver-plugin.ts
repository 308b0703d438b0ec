import type { Logger } from "@nova/core";
import type { ComputeDriver } from "./compute-driver.js";

/** What a compute driver named in nova.conf (`compute_driver = my-driver#MyDriver`) is constructed with. */
export interface ComputeDriverContext {
  /** The compute host's name, which the driver reports as its node (hypervisor_hostname). */
  readonly nodename: string;
  /** nova.conf as given, group by group (raw strings): a driver parses its own group (`[my_driver]`). */
  readonly config: Readonly<Record<string, Readonly<Record<string, string | string[]>>>>;
  /** `[DEFAULT] state_path`: where a driver keeps its files. */
  readonly statePath: string;
  /** Image id to local file, from the image catalogue. */
  readonly imageFiles: ReadonlyMap<string, string>;
  /** Where the driver logs. */
  readonly logger: Logger;
}

/** A compute driver class nova.conf can name: constructed once per compute host with its context. */
export type ComputeDriverClass = new (context: ComputeDriverContext) => ComputeDriver;

/** Every method of {@link ComputeDriver}: what a driver loaded by name must have. */
export const COMPUTE_DRIVER_METHODS = [
  "initHost",
  "close",
  "getAvailableNodes",
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
  "instanceExists",
  "listInstances",
  "listInstanceUuids",
  "getConsoleOutput",
  "getAvailableResource",
  "registerEventListener",
] as const satisfies ReadonlyArray<keyof ComputeDriver>;

/** The methods {@link COMPUTE_DRIVER_METHODS} lists that `value` lacks (empty: it is shaped as a driver). */
export function missingDriverMethods(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [...COMPUTE_DRIVER_METHODS];
  return COMPUTE_DRIVER_METHODS.filter((m) => typeof (value as Record<string, unknown>)[m] !== "function");
}
