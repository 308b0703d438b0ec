import type { ApiVersion } from "@nova/client";
import type { KeyPairRecord } from "../key-pair-record.js";
import { naiveIsoTime } from "./time-format.js";

// Nova's keypairs ViewBuilder: each answer lists its own fields, `type` only from 2.2.

/** `POST /os-keypairs`: the private key only when generated. */
export function keyPairCreateView(keyPair: KeyPairRecord, privateKey: string | null, version: ApiVersion) {
  const out: Record<string, unknown> = {};
  if (privateKey !== null) out.private_key = privateKey;
  if (version.atLeast("2.2")) out.type = keyPair.type;
  out.name = keyPair.name;
  out.public_key = keyPair.publicKey;
  out.fingerprint = keyPair.fingerprint;
  out.user_id = keyPair.userId;
  return out;
}

/** One entry of `GET /os-keypairs`. */
export function keyPairIndexView(keyPair: KeyPairRecord, version: ApiVersion) {
  const out: Record<string, unknown> = {
    name: keyPair.name,
    public_key: keyPair.publicKey,
    fingerprint: keyPair.fingerprint,
  };
  if (version.atLeast("2.2")) out.type = keyPair.type;
  return { keypair: out };
}

/** `GET /os-keypairs/{name}`; key pairs are hard-deleted, so `deleted` is always false. */
export function keyPairShowView(keyPair: KeyPairRecord, version: ApiVersion) {
  const out: Record<string, unknown> = {
    name: keyPair.name,
    public_key: keyPair.publicKey,
    fingerprint: keyPair.fingerprint,
    user_id: keyPair.userId,
    created_at: naiveIsoTime(keyPair.createdAt),
    deleted: false,
    deleted_at: null,
    id: keyPair.id,
    updated_at: keyPair.updatedAt ? naiveIsoTime(keyPair.updatedAt) : null,
  };
  if (version.atLeast("2.2")) out.type = keyPair.type;
  return out;
}
