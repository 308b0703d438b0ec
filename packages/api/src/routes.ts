import { aggregateActions, aggregateHandlers } from "./handlers/aggregates.js";
import { availabilityZoneHandlers } from "./handlers/availability-zones.js";
import { flavorAccessHandlers, flavorActions } from "./handlers/flavor-access.js";
import { flavorExtraSpecHandlers } from "./handlers/flavor-extra-specs.js";
import { flavorManageHandlers } from "./handlers/flavor-manage.js";
import { flavorHandlers } from "./handlers/flavors.js";
import { hypervisorHandlers } from "./handlers/hypervisors.js";
import { imageHandlers } from "./handlers/images.js";
import { instanceActionHandlers } from "./handlers/instance-actions.js";
import { keyPairHandlers } from "./handlers/key-pairs.js";
import { migrationActions, migrationHandlers } from "./handlers/migrations.js";
import { quotaClassSetHandlers, quotaSetHandlers, showLimits } from "./handlers/quota-sets.js";
import { serverGroupHandlers } from "./handlers/server-groups.js";
import { serverLifecycleActions } from "./handlers/server-lifecycle.js";
import { lockActions, serverUpdateHandlers } from "./handlers/server-updates.js";
import { serverActions, serverHandlers } from "./handlers/servers.js";
import { serviceUpdateHandlers } from "./handlers/service-updates.js";
import { listServices } from "./handlers/services.js";
import { tenantUsageHandlers } from "./handlers/tenant-usage.js";
import type { Route } from "./router.js";
import { versionView } from "./views/version-view.js";

/** The Compute API v2.1 subset served, in Nova's order (`/servers/detail` before `/servers/{id}`). */
export const COMPUTE_ROUTES: readonly Route[] = [
  {
    method: "GET",
    pattern: "",
    handler: async (r) => ({ status: 200, body: versionView(r.links.versionRoot()) }),
  },
  { method: "GET", pattern: "/servers", handler: serverHandlers.index },
  { method: "POST", pattern: "/servers", handler: serverHandlers.create },
  { method: "GET", pattern: "/servers/detail", handler: serverHandlers.detail },
  { method: "GET", pattern: "/servers/:id", handler: serverHandlers.show },
  { method: "PUT", pattern: "/servers/:id", handler: serverUpdateHandlers.update },
  { method: "DELETE", pattern: "/servers/:id", handler: serverHandlers.delete },
  { method: "GET", pattern: "/servers/:id/os-instance-actions", handler: instanceActionHandlers.index },
  {
    method: "GET",
    pattern: "/servers/:id/os-instance-actions/:requestId",
    handler: instanceActionHandlers.show,
  },
  {
    method: "POST",
    pattern: "/servers/:id/action",
    actions: { ...serverActions, ...lockActions, ...migrationActions, ...serverLifecycleActions },
  },
  { method: "GET", pattern: "/servers/:id/migrations", handler: migrationHandlers.listServerMigrations },
  {
    method: "GET",
    pattern: "/servers/:id/migrations/:migrationId",
    handler: migrationHandlers.showServerMigration,
  },
  {
    method: "DELETE",
    pattern: "/servers/:id/migrations/:migrationId",
    handler: migrationHandlers.deleteServerMigration,
  },
  {
    method: "POST",
    pattern: "/servers/:id/migrations/:migrationId/action",
    handler: migrationHandlers.serverMigrationAction,
  },
  { method: "GET", pattern: "/os-migrations", handler: migrationHandlers.listMigrations },
  { method: "GET", pattern: "/servers/:id/metadata", handler: serverUpdateHandlers.listMetadata },
  { method: "POST", pattern: "/servers/:id/metadata", handler: serverUpdateHandlers.createMetadata },
  { method: "PUT", pattern: "/servers/:id/metadata", handler: serverUpdateHandlers.replaceMetadata },
  { method: "GET", pattern: "/servers/:id/metadata/:key", handler: serverUpdateHandlers.showMetadataItem },
  { method: "PUT", pattern: "/servers/:id/metadata/:key", handler: serverUpdateHandlers.updateMetadataItem },
  {
    method: "DELETE",
    pattern: "/servers/:id/metadata/:key",
    handler: serverUpdateHandlers.deleteMetadataItem,
  },
  { method: "GET", pattern: "/servers/:id/tags", handler: serverUpdateHandlers.listTags },
  { method: "PUT", pattern: "/servers/:id/tags", handler: serverUpdateHandlers.replaceTags },
  { method: "DELETE", pattern: "/servers/:id/tags", handler: serverUpdateHandlers.deleteTags },
  { method: "GET", pattern: "/servers/:id/tags/:tag", handler: serverUpdateHandlers.checkTag },
  { method: "PUT", pattern: "/servers/:id/tags/:tag", handler: serverUpdateHandlers.addTag },
  { method: "DELETE", pattern: "/servers/:id/tags/:tag", handler: serverUpdateHandlers.deleteTag },
  { method: "GET", pattern: "/flavors", handler: flavorHandlers.index },
  { method: "POST", pattern: "/flavors", handler: flavorManageHandlers.create },
  { method: "GET", pattern: "/flavors/detail", handler: flavorHandlers.detail },
  { method: "GET", pattern: "/flavors/:id", handler: flavorHandlers.show },
  { method: "PUT", pattern: "/flavors/:id", handler: flavorManageHandlers.update },
  { method: "DELETE", pattern: "/flavors/:id", handler: flavorManageHandlers.delete },
  { method: "POST", pattern: "/flavors/:id/action", actions: flavorActions },
  { method: "GET", pattern: "/flavors/:id/os-flavor-access", handler: flavorAccessHandlers.index },
  { method: "GET", pattern: "/flavors/:id/os-extra_specs", handler: flavorExtraSpecHandlers.index },
  { method: "POST", pattern: "/flavors/:id/os-extra_specs", handler: flavorExtraSpecHandlers.create },
  { method: "GET", pattern: "/flavors/:id/os-extra_specs/:key", handler: flavorExtraSpecHandlers.show },
  { method: "PUT", pattern: "/flavors/:id/os-extra_specs/:key", handler: flavorExtraSpecHandlers.update },
  { method: "DELETE", pattern: "/flavors/:id/os-extra_specs/:key", handler: flavorExtraSpecHandlers.delete },
  { method: "GET", pattern: "/os-services", handler: listServices },
  { method: "PUT", pattern: "/os-services/:id", handler: serviceUpdateHandlers.update },
  { method: "DELETE", pattern: "/os-services/:id", handler: serviceUpdateHandlers.delete },
  { method: "GET", pattern: "/os-hypervisors", handler: hypervisorHandlers.index },
  { method: "GET", pattern: "/os-hypervisors/detail", handler: hypervisorHandlers.detail },
  { method: "GET", pattern: "/os-hypervisors/statistics", handler: hypervisorHandlers.statistics },
  { method: "GET", pattern: "/os-hypervisors/:id", handler: hypervisorHandlers.show },
  { method: "GET", pattern: "/os-hypervisors/:id/uptime", handler: hypervisorHandlers.uptime },
  { method: "GET", pattern: "/os-hypervisors/:pattern/search", handler: hypervisorHandlers.search },
  { method: "GET", pattern: "/os-hypervisors/:pattern/servers", handler: hypervisorHandlers.servers },
  { method: "GET", pattern: "/images", handler: imageHandlers.index },
  { method: "GET", pattern: "/images/detail", handler: imageHandlers.detail },
  { method: "GET", pattern: "/images/:id", handler: imageHandlers.show },
  { method: "GET", pattern: "/os-keypairs", handler: keyPairHandlers.index },
  { method: "POST", pattern: "/os-keypairs", handler: keyPairHandlers.create },
  { method: "GET", pattern: "/os-keypairs/:name", handler: keyPairHandlers.show },
  { method: "DELETE", pattern: "/os-keypairs/:name", handler: keyPairHandlers.delete },
  { method: "GET", pattern: "/os-aggregates", handler: aggregateHandlers.index },
  { method: "POST", pattern: "/os-aggregates", handler: aggregateHandlers.create },
  { method: "GET", pattern: "/os-aggregates/:id", handler: aggregateHandlers.show },
  { method: "PUT", pattern: "/os-aggregates/:id", handler: aggregateHandlers.update },
  { method: "DELETE", pattern: "/os-aggregates/:id", handler: aggregateHandlers.delete },
  { method: "POST", pattern: "/os-aggregates/:id/action", actions: aggregateActions },
  { method: "GET", pattern: "/os-availability-zone", handler: availabilityZoneHandlers.index },
  { method: "GET", pattern: "/os-availability-zone/detail", handler: availabilityZoneHandlers.detail },
  { method: "GET", pattern: "/os-server-groups", handler: serverGroupHandlers.index },
  { method: "POST", pattern: "/os-server-groups", handler: serverGroupHandlers.create },
  { method: "GET", pattern: "/os-server-groups/:id", handler: serverGroupHandlers.show },
  { method: "DELETE", pattern: "/os-server-groups/:id", handler: serverGroupHandlers.delete },
  // Quotas and limits.
  { method: "GET", pattern: "/os-quota-sets/:id", handler: quotaSetHandlers.show },
  { method: "PUT", pattern: "/os-quota-sets/:id", handler: quotaSetHandlers.update },
  { method: "DELETE", pattern: "/os-quota-sets/:id", handler: quotaSetHandlers.delete },
  { method: "GET", pattern: "/os-quota-sets/:id/defaults", handler: quotaSetHandlers.defaults },
  { method: "GET", pattern: "/os-quota-sets/:id/detail", handler: quotaSetHandlers.detail },
  { method: "GET", pattern: "/os-quota-class-sets/:id", handler: quotaClassSetHandlers.show },
  { method: "PUT", pattern: "/os-quota-class-sets/:id", handler: quotaClassSetHandlers.update },
  { method: "GET", pattern: "/limits", handler: showLimits },
  { method: "GET", pattern: "/os-simple-tenant-usage", handler: tenantUsageHandlers.index },
  { method: "GET", pattern: "/os-simple-tenant-usage/:id", handler: tenantUsageHandlers.show },
];
