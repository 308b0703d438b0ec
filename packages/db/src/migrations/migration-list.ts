import type { DatabaseKind } from "../nova-database.js";
import { apiInitial } from "./api/0001-initial.js";
import { apiCellMappingDisabled } from "./api/0002-cell-mapping-disabled.js";
import { apiAggregates } from "./api/0003-aggregates.js";
import { apiQuotaClasses } from "./api/0004-quota-classes.js";
import { cellInitial } from "./cell/0001-initial.js";
import { cellComputeNodeGeneration } from "./cell/0002-compute-node-generation.js";
import { cellBlockDevicesAndInfoCache } from "./cell/0003-block-devices-and-info-cache.js";
import { cellServiceRecordedDown } from "./cell/0004-service-recorded-down.js";
import { cellTags } from "./cell/0005-tags.js";
import { cellMigrations } from "./cell/0006-migrations.js";
import type { NovaMigration, SqlDialect } from "./schema-helpers.js";

/** Every migration of one database kind, in order; the names are the schema versions. */
export function migrationsFor(kind: DatabaseKind, dialect: SqlDialect): Record<string, NovaMigration> {
  return kind === "api"
    ? {
        "0001_initial": apiInitial(dialect),
        "0002_cell_mapping_disabled": apiCellMappingDisabled(),
        "0003_aggregates": apiAggregates(),
        "0004_quota_classes": apiQuotaClasses(),
      }
    : {
        "0001_initial": cellInitial(dialect),
        "0002_compute_node_generation": cellComputeNodeGeneration(),
        "0003_block_devices_and_info_cache": cellBlockDevicesAndInfoCache(dialect),
        "0004_service_recorded_down": cellServiceRecordedDown(),
        "0005_tags": cellTags(),
        "0006_migrations": cellMigrations(),
      };
}
