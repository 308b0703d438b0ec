import type { FlavorRecord } from "./compute-backend.js";
import type { RequestContext } from "./request-context.js";

/**
 * What `POST /flavors` asks the backend to record, validated and defaulted by the API (the flavor id already
 * generated when the request gave none).
 */
export type FlavorCreateSpec = Pick<
  FlavorRecord,
  | "flavorId"
  | "name"
  | "memoryMb"
  | "vcpus"
  | "rootGb"
  | "ephemeralGb"
  | "swap"
  | "rxtxFactor"
  | "isPublic"
  | "description"
>;

/**
 * Flavor management (nova/api/openstack/compute/flavor_manage.py, flavors_extraspecs.py, flavor_access.py).
 * Every method looking a flavor up by id throws FlavorNotFoundError when the caller cannot see it: a
 * non-admin sees public flavors and the private ones shared with its project, as Nova's flavor queries do.
 */
export interface FlavorManagementBackend {
  /** Records a flavor; FlavorIdExistsError or FlavorExistsError (name) when taken. */
  createFlavor(ctx: RequestContext, spec: FlavorCreateSpec): Promise<FlavorRecord>;
  /** Deletes a flavor (servers keep their embedded copy); FlavorNotFoundError if none. */
  deleteFlavor(ctx: RequestContext, flavorId: string): Promise<void>;
  /** Sets the description (2.55) and returns the flavor as it now is. */
  updateFlavorDescription(
    ctx: RequestContext,
    flavorId: string,
    description: string | null,
  ): Promise<FlavorRecord>;
  /** Adds or replaces extra specs and returns the flavor as it now is. */
  setFlavorExtraSpecs(
    ctx: RequestContext,
    flavorId: string,
    specs: Record<string, string>,
  ): Promise<FlavorRecord>;
  /** Removes one extra spec; FlavorExtraSpecNotFoundError when the flavor has no such key. */
  deleteFlavorExtraSpec(ctx: RequestContext, flavorId: string, key: string): Promise<void>;
  /** The projects a flavor is shared with. */
  listFlavorAccess(ctx: RequestContext, flavorId: string): Promise<string[]>;
  /** Shares a flavor with a project; FlavorAccessExistsError when it already is. Returns the projects. */
  addFlavorAccess(ctx: RequestContext, flavorId: string, projectId: string): Promise<string[]>;
  /** Stops sharing a flavor with a project; FlavorAccessNotFoundError when it was not. Returns the projects. */
  removeFlavorAccess(ctx: RequestContext, flavorId: string, projectId: string): Promise<string[]>;
}
