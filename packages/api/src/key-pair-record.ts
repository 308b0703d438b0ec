import type { KeyPairType } from "./key-pair-crypto.js";

/** A key pair as the backend stores it (Nova's KeyPair object). */
export interface KeyPairRecord {
  /** Database id (shown by `GET /os-keypairs/{name}`). */
  id: number;
  /** Unique per user. */
  name: string;
  /** The owner. */
  userId: string;
  /** `ssh` or `x509`. */
  type: KeyPairType;
  /** The OpenSSH public key or the PEM certificate. */
  publicKey: string;
  /** MD5 (ssh) or SHA-1 (x509) colon hex. */
  fingerprint: string;
  /** When it was created. */
  createdAt: Date;
  /** When it last changed (never, in practice). */
  updatedAt: Date | null;
}

/** What `POST /os-keypairs` asks the backend for: an import when `publicKey` is set, else a generated key. */
export interface KeyPairCreateSpec {
  /** The owner (the caller, or any user for an admin from 2.10). */
  userId: string;
  /** The key pair name. */
  name: string;
  /** `ssh` unless asked (2.2). */
  type: KeyPairType;
  /** The key to import; null generates one. */
  publicKey: string | null;
}

/** A created key pair, with the private key when the backend generated it. */
export interface CreatedKeyPair {
  /** The stored key pair. */
  keyPair: KeyPairRecord;
  /** Only for a generated key: the private half, never stored. */
  privateKey: string | null;
}

/** A page of a user's key pairs, by name (2.35). */
export interface KeyPairPage {
  /** The most to return. */
  limit?: number;
  /** The name of the last key pair of the previous page. */
  marker?: string;
}
