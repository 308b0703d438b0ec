import { z } from "zod";
import type { ApiVersion } from "../api-version.js";
import { linkSchema } from "./link.js";
import { nameParam } from "./parameter-types.js";

// Nova's os-keypairs schemas (nova/api/openstack/compute/schemas/keypairs.py) and the response shapes of
// tempest's compute schemas (v2_1 and v2_2 keypairs.py).

/** Nova's `keypair_name_20` / `keypair_name_292` formats: only these characters, reported as InvalidName. */
function keyPairName(safe: string) {
  const allowed = new Set(safe);
  return nameParam.refine((value) => [...value].every((c) => allowed.has(c)), {
    error: `An invalid 'name' value was provided. The name must be: Only expected characters: [${safe}]`,
    params: { bare: true },
  });
}

const LETTERS_AND_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const keyPairName20 = keyPairName(`_- ${LETTERS_AND_DIGITS}`);
const keyPairName292 = keyPairName(`@._- ${LETTERS_AND_DIGITS}`);

/** Key pair types (2.2). */
export const KEY_PAIR_TYPES = ["ssh", "x509"] as const;

/** `POST /os-keypairs` at 2.1: a name, and a public key to import. */
export const createKeyPairRequestSchemaV21 = z.strictObject({
  keypair: z.strictObject({ name: keyPairName20, public_key: z.string().optional() }),
});

/** 2.2 adds `type`. */
export const createKeyPairRequestSchemaV22 = z.strictObject({
  keypair: z.strictObject({
    name: keyPairName20,
    type: z.enum(KEY_PAIR_TYPES).optional(),
    public_key: z.string().optional(),
  }),
});

/** 2.10 adds `user_id` (another user's key pair, for admins). */
export const createKeyPairRequestSchemaV210 = z.strictObject({
  keypair: z.strictObject({
    name: keyPairName20,
    type: z.enum(KEY_PAIR_TYPES).optional(),
    public_key: z.string().optional(),
    user_id: z.string().optional(),
  }),
});

/** 2.92: `@` and `.` allowed in names, and `public_key` required (Nova no longer generates keys). */
export const createKeyPairRequestSchemaV292 = z.strictObject({
  keypair: z.strictObject({
    name: keyPairName292,
    type: z.enum(KEY_PAIR_TYPES).optional(),
    public_key: z.string(),
    user_id: z.string().optional(),
  }),
});

/** The create schema Nova applies at `version`. */
export function createKeyPairRequestSchemaFor(version: ApiVersion) {
  if (version.atLeast("2.92")) return createKeyPairRequestSchemaV292;
  if (version.atLeast("2.10")) return createKeyPairRequestSchemaV210;
  if (version.atLeast("2.2")) return createKeyPairRequestSchemaV22;
  return createKeyPairRequestSchemaV21;
}

/** `POST /os-keypairs` body (the newest shape; `public_key` optional before 2.92). */
export type CreateKeyPairRequest = z.input<typeof createKeyPairRequestSchemaV210>;

/** A key pair as `POST /os-keypairs` answers (`private_key` only when generated, `type` from 2.2). */
export const createdKeyPairSchema = z.strictObject({
  name: z.string(),
  public_key: z.string(),
  fingerprint: z.string(),
  user_id: z.string(),
  private_key: z.string().optional(),
  type: z.enum(KEY_PAIR_TYPES).optional(),
});
/** A created key pair. */
export type CreatedKeyPair = z.infer<typeof createdKeyPairSchema>;

/** `POST /os-keypairs` response. */
export const createKeyPairResponseSchema = z.strictObject({ keypair: createdKeyPairSchema });

/** A key pair as `GET /os-keypairs/{name}` shows it (`type` from 2.2). */
export const keyPairSchema = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  public_key: z.string(),
  fingerprint: z.string(),
  user_id: z.string(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
  deleted: z.boolean(),
  deleted_at: z.string().nullable(),
  type: z.enum(KEY_PAIR_TYPES).optional(),
});
/** One key pair in detail. */
export type KeyPair = z.infer<typeof keyPairSchema>;

/** `GET /os-keypairs/{name}` response. */
export const showKeyPairResponseSchema = z.strictObject({ keypair: keyPairSchema });

/** One entry of `GET /os-keypairs` (`type` from 2.2). */
export const keyPairSummarySchema = z.strictObject({
  name: z.string(),
  public_key: z.string(),
  fingerprint: z.string(),
  type: z.enum(KEY_PAIR_TYPES).optional(),
});
/** One listed key pair. */
export type KeyPairSummary = z.infer<typeof keyPairSummarySchema>;

/** `GET /os-keypairs` response (`keypairs_links` from 2.35 when a page is full). */
export const listKeyPairsResponseSchema = z.strictObject({
  keypairs: z.array(z.strictObject({ keypair: keyPairSummarySchema })),
  keypairs_links: z.array(linkSchema).optional(),
});

/** Query of `GET /os-keypairs`. */
export interface KeyPairListQuery {
  /** Another user's key pairs (admin, 2.10). */
  user_id?: string;
  /** Page size (2.35). */
  limit?: number;
  /** The name of the last key pair of the previous page (2.35). */
  marker?: string;
}
