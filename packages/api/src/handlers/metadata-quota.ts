import { HttpFault } from "../http-fault.js";
import type { ApiRequest } from "../router.js";

/**
 * Nova's `_check_metadata_properties_quota`: a server's metadata may hold at most `[quota] metadata_items`
 * items (-1: unlimited), else a 403 (MetadataLimitExceeded). Create checks the requested metadata, the
 * metadata API the metadata as it would be saved.
 */
export function checkMetadataQuota(request: ApiRequest, metadata: Record<string, string>): void {
  const limit = request.config.metadata_items;
  if (limit >= 0 && Object.keys(metadata).length > limit) {
    throw HttpFault.forbidden(`Maximum number of metadata items exceeds ${limit}`);
  }
}
