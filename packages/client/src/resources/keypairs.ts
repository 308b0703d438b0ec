import { z } from "zod";
import type { CallOptions } from "../http-transport.js";
import {
  type CreatedKeyPair,
  type CreateKeyPairRequest,
  createKeyPairResponseSchema,
  type KeyPair,
  type KeyPairListQuery,
  type KeyPairSummary,
  keyPairSummarySchema,
  showKeyPairResponseSchema,
} from "../schemas/keypairs.js";
import { enc, type ResourceContext } from "./resource-context.js";

const wrappedSummary = z.object({ keypair: keyPairSummarySchema });

/** SSH key pairs (`/os-keypairs`): the caller's own, or (admin, 2.10+) another user's with `user_id`. */
export class KeyPairsResource {
  /** Over the given client. */
  constructor(private readonly client: ResourceContext) {}

  /** Every key pair, page after page (2.35+ pages; one page before). */
  async *list(
    query: KeyPairListQuery = {},
    call: CallOptions = {},
  ): AsyncGenerator<KeyPairSummary, void, undefined> {
    for await (const item of this.client.iterate("/os-keypairs", "keypairs", wrappedSummary, query, call)) {
      yield item.keypair;
    }
  }

  /** `GET /os-keypairs/{name}`. */
  async get(name: string, query: { user_id?: string } = {}, call: CallOptions = {}): Promise<KeyPair> {
    const response = await this.client.request("GET", `/os-keypairs/${enc(name)}`, { ...call, query });
    return this.client.parse(showKeyPairResponseSchema, response).keypair;
  }

  /** `POST /os-keypairs`: imports `public_key`, or generates one (before 2.92) and answers its private key. */
  async create(keypair: CreateKeyPairRequest["keypair"], call: CallOptions = {}): Promise<CreatedKeyPair> {
    const response = await this.client.request("POST", "/os-keypairs", { ...call, body: { keypair } });
    return this.client.parse(createKeyPairResponseSchema, response).keypair;
  }

  /** `DELETE /os-keypairs/{name}`. */
  async delete(name: string, query: { user_id?: string } = {}, call: CallOptions = {}): Promise<void> {
    await this.client.request("DELETE", `/os-keypairs/${enc(name)}`, { ...call, query });
  }
}
