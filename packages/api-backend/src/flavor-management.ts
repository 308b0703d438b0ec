import {
  FlavorAccessExistsError,
  FlavorAccessNotFoundError,
  type FlavorCreateSpec,
  FlavorExistsError,
  FlavorExtraSpecNotFoundError,
  FlavorIdExistsError,
  type FlavorManagementBackend,
  FlavorNotFoundError,
  type FlavorRecord,
  type RequestContext,
} from "@nova/api";
import { hasErrorCode } from "@nova/core";
import { type ApiDatabase, DuplicateEntryError, NotFoundError } from "@nova/db";
import type { Flavor } from "@nova/objects";
import { flavorRecord } from "./server-view.js";

/**
 * Whether a caller may see a flavor: admins see all; others public flavors and the private ones shared
 * with their project (Nova's `_flavor_get_query_from_db` for a non-admin context).
 */
export function flavorVisibleTo(
  ctx: RequestContext,
  flavor: Pick<Flavor, "is_public" | "projects">,
): boolean {
  return ctx.isAdmin || flavor.is_public || flavor.projects.includes(ctx.projectId);
}

/** Flavor management over the API database's FlavorRepository. */
export class DbFlavorManagement implements FlavorManagementBackend {
  /** Management over this API database. */
  constructor(private readonly apiDb: ApiDatabase) {}

  /** The flavor as the caller may see it; FlavorNotFoundError when absent or not visible. */
  async visibleFlavor(ctx: RequestContext, flavorId: string): Promise<Flavor> {
    const flavor = await this.apiDb.flavors.getByFlavorId(flavorId).catch((err: unknown) => {
      if (hasErrorCode(err, "DB_NOT_FOUND")) throw new FlavorNotFoundError(flavorId);
      throw err;
    });
    if (!flavorVisibleTo(ctx, flavor)) throw new FlavorNotFoundError(flavorId);
    return flavor;
  }

  /** Records a flavor; a taken flavor id or name is Nova's 409. */
  async createFlavor(_ctx: RequestContext, spec: FlavorCreateSpec): Promise<FlavorRecord> {
    const flavor = await this.apiDb.flavors
      .create({
        flavorid: spec.flavorId,
        name: spec.name,
        memory_mb: spec.memoryMb,
        vcpus: spec.vcpus,
        root_gb: spec.rootGb,
        ephemeral_gb: spec.ephemeralGb,
        swap: spec.swap,
        rxtx_factor: spec.rxtxFactor,
        is_public: spec.isPublic,
        description: spec.description,
      })
      .catch((err: unknown) => {
        if (DuplicateEntryError.isInstance(err)) {
          if (err.entity === "FlavorId") throw new FlavorIdExistsError(spec.flavorId);
          throw new FlavorExistsError(spec.name);
        }
        throw err;
      });
    return flavorRecord(flavor);
  }

  /** Deletes a flavor. */
  async deleteFlavor(ctx: RequestContext, flavorId: string): Promise<void> {
    await this.visibleFlavor(ctx, flavorId);
    await this.apiDb.flavors.delete(flavorId).catch(notFoundAs(flavorId));
  }

  /** Sets the description. */
  async updateFlavorDescription(
    ctx: RequestContext,
    flavorId: string,
    description: string | null,
  ): Promise<FlavorRecord> {
    await this.visibleFlavor(ctx, flavorId);
    return flavorRecord(
      await this.apiDb.flavors.updateDescription(flavorId, description).catch(notFoundAs(flavorId)),
    );
  }

  /** Adds or replaces extra specs. */
  async setFlavorExtraSpecs(
    ctx: RequestContext,
    flavorId: string,
    specs: Record<string, string>,
  ): Promise<FlavorRecord> {
    await this.visibleFlavor(ctx, flavorId);
    return flavorRecord(
      await this.apiDb.flavors.updateExtraSpecs(flavorId, specs).catch(notFoundAs(flavorId)),
    );
  }

  /** Removes one extra spec. */
  async deleteFlavorExtraSpec(ctx: RequestContext, flavorId: string, key: string): Promise<void> {
    await this.visibleFlavor(ctx, flavorId);
    await this.apiDb.flavors.deleteExtraSpec(flavorId, key).catch((err: unknown) => {
      if (NotFoundError.isInstance(err) && err.entity === "FlavorExtraSpec") {
        throw new FlavorExtraSpecNotFoundError(flavorId, key);
      }
      return notFoundAs(flavorId)(err);
    });
  }

  /** The projects a flavor is shared with. */
  async listFlavorAccess(ctx: RequestContext, flavorId: string): Promise<string[]> {
    return (await this.visibleFlavor(ctx, flavorId)).projects;
  }

  /** Shares a flavor with a project. */
  async addFlavorAccess(ctx: RequestContext, flavorId: string, projectId: string): Promise<string[]> {
    await this.visibleFlavor(ctx, flavorId);
    const flavor = await this.apiDb.flavors.addAccess(flavorId, projectId).catch((err: unknown) => {
      if (DuplicateEntryError.isInstance(err)) throw new FlavorAccessExistsError(flavorId, projectId);
      return notFoundAs(flavorId)(err);
    });
    return flavor.projects;
  }

  /** Stops sharing a flavor with a project. */
  async removeFlavorAccess(ctx: RequestContext, flavorId: string, projectId: string): Promise<string[]> {
    await this.visibleFlavor(ctx, flavorId);
    const flavor = await this.apiDb.flavors.removeAccess(flavorId, projectId).catch((err: unknown) => {
      if (NotFoundError.isInstance(err) && err.entity === "FlavorAccess") {
        throw new FlavorAccessNotFoundError(flavorId, projectId);
      }
      return notFoundAs(flavorId)(err);
    });
    return flavor.projects;
  }
}

/** A rejection handler turning the database's not-found into FlavorNotFoundError (deleted meanwhile). */
function notFoundAs(flavorId: string) {
  return (err: unknown): never => {
    if (hasErrorCode(err, "DB_NOT_FOUND")) throw new FlavorNotFoundError(flavorId);
    throw err;
  };
}
