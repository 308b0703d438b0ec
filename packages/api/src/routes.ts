import { flavorHandlers } from "./handlers/flavors.js";
import { hypervisorHandlers } from "./handlers/hypervisors.js";
import { imageHandlers } from "./handlers/images.js";
import { keyPairHandlers } from "./handlers/key-pairs.js";
import { lockActions, serverUpdateHandlers } from "./handlers/server-updates.js";
import { serverActions, serverHandlers } from "./handlers/servers.js";
import { serviceUpdateHandlers } from "./handlers/service-updates.js";
import { listServices } from "./handlers/services.js";
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
  { method: "POST", pattern: "/servers/:id/action", actions: { ...serverActions, ...lockActions } },
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
  { method: "GET", pattern: "/flavors/detail", handler: flavorHandlers.detail },
  { method: "GET", pattern: "/flavors/:id", handler: flavorHandlers.show },
  { method: "GET", pattern: "/os-services", handler: listServices },
  { method: "PUT", pattern: "/os-services/:id", handler: serviceUpdateHandlers.update },
  { method: "DELETE", pattern: "/os-services/:id", handler: serviceUpdateHandlers.delete },
  { method: "GET", pattern: "/os-hypervisors", handler: hypervisorHandlers.index },
  { method: "GET", pattern: "/os-hypervisors/detail", handler: hypervisorHandlers.detail },
  { method: "GET", pattern: "/os-hypervisors/statistics", handler: hypervisorHandlers.statistics },
  { method: "GET", pattern: "/os-hypervisors/:id", handler: hypervisorHandlers.show },
  { method: "GET", pattern: "/os-hypervisors/:pattern/search", handler: hypervisorHandlers.search },
  { method: "GET", pattern: "/os-hypervisors/:pattern/servers", handler: hypervisorHandlers.servers },
  { method: "GET", pattern: "/images", handler: imageHandlers.index },
  { method: "GET", pattern: "/images/detail", handler: imageHandlers.detail },
  { method: "GET", pattern: "/images/:id", handler: imageHandlers.show },
  { method: "GET", pattern: "/os-keypairs", handler: keyPairHandlers.index },
  { method: "POST", pattern: "/os-keypairs", handler: keyPairHandlers.create },
  { method: "GET", pattern: "/os-keypairs/:name", handler: keyPairHandlers.show },
  { method: "DELETE", pattern: "/os-keypairs/:name", handler: keyPairHandlers.delete },
];
