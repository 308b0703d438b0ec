import { randomUUID } from "node:crypto";
import type { ApiDatabase } from "@nova/db";
import type { Flavor } from "@nova/objects";
import { z } from "zod";
import { ManageUsageError } from "./manage-usage-error.js";

/** `flavor create`'s options as commander hands them over (strings). */
export interface FlavorCreateOptions {
  ram: string;
  vcpus: string;
  disk: string;
  id?: string;
  ephemeral: string;
  swap: string;
  isPublic: string;
  description?: string;
}

// Nova's limits (nova/compute/flavors.py): sizes are db integers, ids and names printable.
const MAX_INT = 2_147_483_647;
const count = (min: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(MAX_INT));

const flavorInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(255, "must be at most 255 characters")
    .regex(/^[^\p{C}]+$/u, "must not contain control characters"),
  "--ram": count(1),
  "--vcpus": count(1),
  "--disk": count(0),
  "--ephemeral": count(0),
  "--swap": count(0),
  "--id": z
    .string()
    .min(1)
    .max(255, "must be at most 255 characters")
    .regex(/^[\w.\- ]+$/, "may only contain letters, digits, '.', '-', '_' and spaces")
    .optional(),
  "--is-public": z.enum(["true", "false", "True", "False"]).transform((v) => v.toLowerCase() === "true"),
  "--description": z.string().max(65535).optional(),
});

/** Validates the options (ManageUsageError naming the option) and creates the flavor in the API database. */
export async function createFlavor(
  api: ApiDatabase,
  name: string,
  opts: FlavorCreateOptions,
): Promise<Flavor> {
  const parsed = flavorInput.safeParse({
    name,
    "--ram": opts.ram,
    "--vcpus": opts.vcpus,
    "--disk": opts.disk,
    "--ephemeral": opts.ephemeral,
    "--swap": opts.swap,
    "--id": opts.id,
    "--is-public": opts.isPublic,
    "--description": opts.description,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManageUsageError(String(issue?.path[0] ?? "flavor"), issue?.message ?? "invalid");
  }
  const v = parsed.data;
  return api.flavors.create({
    name: v.name,
    // As Nova's `auto`: a flavor created without an id gets a uuid.
    flavorid: v["--id"] === undefined || v["--id"] === "auto" ? randomUUID() : v["--id"],
    memory_mb: v["--ram"],
    vcpus: v["--vcpus"],
    root_gb: v["--disk"],
    ephemeral_gb: v["--ephemeral"],
    swap: v["--swap"],
    is_public: v["--is-public"],
    ...(v["--description"] !== undefined ? { description: v["--description"] } : {}),
  });
}

/** One line describing a flavor, as `flavor create` prints it. */
export function formatFlavor(f: Flavor): string {
  return (
    `flavor ${f.name} (id ${f.flavorid}): ${f.vcpus} vcpus, ${f.memory_mb} MB RAM, ${f.root_gb} GB disk, ` +
    `${f.ephemeral_gb} GB ephemeral, ${f.swap} MB swap, ${f.is_public ? "public" : "private"}`
  );
}
