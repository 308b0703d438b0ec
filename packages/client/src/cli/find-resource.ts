import type { ComputeClient } from "../compute-client.js";
import { NotFoundError } from "../errors/not-found-error.js";
import type { Flavor } from "../schemas/flavors.js";
import type { Hypervisor } from "../schemas/hypervisors.js";
import { isUuidLike } from "../schemas/parameter-types.js";
import type { Server } from "../schemas/servers.js";
import { LookupError } from "./lookup-error.js";

// Nova's name filter is a regular expression: match the name literally.
const literal = (text: string): string => `^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;

function one<T>(kind: string, nameOrId: string, matches: readonly T[]): T {
  if (matches.length === 1) return matches[0] as T;
  if (matches.length === 0) {
    throw new LookupError("NOT_FOUND_BY_NAME", `No ${kind} with a name or ID of '${nameOrId}' exists.`);
  }
  throw new LookupError(
    "AMBIGUOUS_NAME",
    `More than one ${kind} exists with the name '${nameOrId}': use its ID.`,
  );
}

/** A server by id (a UUID: Nova's 404 when missing) or by exact name (one match, as novaclient requires). */
export async function findServer(client: ComputeClient, nameOrId: string): Promise<Server> {
  if (isUuidLike(nameOrId)) return client.getServer(nameOrId);
  const matches: Server[] = [];
  for await (const server of client.servers.listDetail({ name: literal(nameOrId) })) {
    if (server.name === nameOrId) matches.push(server);
  }
  return one("server", nameOrId, matches);
}

/** A flavor by id, else by exact name. */
export async function findFlavor(client: ComputeClient, nameOrId: string): Promise<Flavor> {
  try {
    return await client.getFlavor(nameOrId);
  } catch (error) {
    if (!NotFoundError.isInstance(error)) throw error;
  }
  const matches: Flavor[] = [];
  for await (const flavor of client.flavors.listDetail()) if (flavor.name === nameOrId) matches.push(flavor);
  return one("flavor", nameOrId, matches);
}

/** An image id: a UUID as given, a name looked up through Nova's image proxy (2.35, its last version). */
export async function findImageId(client: ComputeClient, nameOrId: string): Promise<string> {
  if (isUuidLike(nameOrId)) return nameOrId;
  const { images } = await client.listImages({}, { microversion: "2.35" });
  return one(
    "image",
    nameOrId,
    images.filter((image) => image.name === nameOrId),
  ).id;
}

/** A hypervisor by id, else by exact hostname. */
export async function findHypervisor(client: ComputeClient, nameOrId: string): Promise<Hypervisor> {
  const matches: Hypervisor[] = [];
  for await (const hypervisor of client.hypervisors.list()) {
    if (String(hypervisor.id) === nameOrId || hypervisor.hypervisor_hostname === nameOrId) {
      matches.push(hypervisor);
    }
  }
  const found = one("hypervisor", nameOrId, matches);
  return client.hypervisors.get(found.id as string | number);
}
