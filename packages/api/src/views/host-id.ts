import { createHash } from "node:crypto";

/** Nova's `utils.generate_hostid`: sha224 of project id and host, so projects cannot compare hosts; "" without a host. */
export function hostId(projectId: string, host: string | null | undefined): string {
  return host
    ? createHash("sha224")
        .update(projectId + host)
        .digest("hex")
    : "";
}
