import { createKeyPairRequestSchemaFor } from "@nova/client";
import { InvalidKeyPairError } from "../errors/invalid-key-pair.js";
import { KeyPairExistsError } from "../errors/key-pair-exists.js";
import { KeyPairNotFoundError } from "../errors/key-pair-not-found.js";
import { MarkerNotFoundError } from "../errors/marker-not-found.js";
import { QuotaExceededError } from "../errors/quota-exceeded.js";
import { HttpFault } from "../http-fault.js";
import type { KeyPairPage } from "../key-pair-record.js";
import { checkNonNegativeInteger, checkNoUnknown, lastValue } from "../query-params.js";
import type { ApiRequest, Handler } from "../router.js";
import { validateBody } from "../validation.js";
import { keyPairCreateView, keyPairIndexView, keyPairShowView } from "../views/key-pair-view.js";

// nova/api/openstack/compute/keypairs.py: per-user key pairs; from 2.10 an admin names another user with
// `user_id` (body on create, query elsewhere), which Nova's `(rule:context_is_admin) or user_id:%(user_id)s`
// policy refuses to anyone else.

/**
 * The user whose key pairs a request is about (the first `user_id` value from 2.10, else the caller's), once
 * the `os_compute_api:os-keypairs:<action>` policy allows it.
 */
function targetUser(request: ApiRequest, action: string, asked?: string): string {
  const userId = (request.version.atLeast("2.10") ? asked : undefined) || request.context.userId;
  request.authorize(`os_compute_api:os-keypairs:${action}`, { user_id: userId });
  return userId;
}

/** The query's first `user_id` (webob's `getall(...)[0]`), after the 2.75 check for unknown parameters. */
function queryUser(request: ApiRequest, known: readonly string[]): string | undefined {
  if (request.version.atLeast("2.75")) checkNoUnknown(request.query, new Set(known));
  return request.query.getAll("user_id")[0];
}

const createKeyPair: Handler = async (request) => {
  const { keypair } = validateBody(createKeyPairRequestSchemaFor(request.version), request.body);
  const asked = "user_id" in keypair ? keypair.user_id : undefined;
  const userId = targetUser(request, "create", asked);
  const name = keypair.name.trim();
  try {
    const created = await request.backend.createKeyPair(request.context, {
      userId,
      name,
      type: ("type" in keypair ? keypair.type : undefined) ?? "ssh",
      publicKey: keypair.public_key ?? null,
    });
    return {
      // 2.1 answers 200; Nova's 2.2 change made it 201.
      status: request.version.atLeast("2.2") ? 201 : 200,
      body: { keypair: keyPairCreateView(created.keyPair, created.privateKey, request.version) },
    };
  } catch (error) {
    if (QuotaExceededError.isInstance(error)) throw HttpFault.forbidden(error.message);
    if (InvalidKeyPairError.isInstance(error)) throw HttpFault.badRequest(error.message);
    if (KeyPairExistsError.isInstance(error)) throw HttpFault.conflict(error.message);
    throw error;
  }
};

const listKeyPairs: Handler = async (request) => {
  const { query, version } = request;
  const paged = version.atLeast("2.35");
  const asked = queryUser(request, ["user_id", "limit", "marker"]);
  if (paged) checkNonNegativeInteger(query, "limit");
  const userId = targetUser(request, "index", asked);
  const page: KeyPairPage = {};
  if (paged) {
    const limit = lastValue(query, "limit");
    const maxLimit = request.config.max_limit;
    page.limit = Math.min(maxLimit, limit !== undefined ? Number(limit) : maxLimit);
    const marker = lastValue(query, "marker");
    if (marker !== undefined) page.marker = marker;
  }
  let keyPairs: Awaited<ReturnType<typeof request.backend.listKeyPairs>>;
  try {
    keyPairs = await request.backend.listKeyPairs(request.context, userId, page);
  } catch (error) {
    if (MarkerNotFoundError.isInstance(error)) throw HttpFault.badRequest(error.message);
    throw error;
  }
  const body: Record<string, unknown> = { keypairs: keyPairs.map((k) => keyPairIndexView(k, version)) };
  if (paged) {
    const links = request.links.collectionLinks(
      "os-keypairs",
      keyPairs.map((k) => k.name),
      query,
      request.config.max_limit,
    );
    if (links) body.keypairs_links = links;
  }
  return { status: 200, body };
};

const showKeyPair: Handler = async (request) => {
  const userId = targetUser(request, "show", queryUser(request, ["user_id"]));
  try {
    const keyPair = await request.backend.getKeyPair(request.context, userId, request.params.name!);
    return { status: 200, body: { keypair: keyPairShowView(keyPair, request.version) } };
  } catch (error) {
    if (KeyPairNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    throw error;
  }
};

const deleteKeyPair: Handler = async (request) => {
  const userId = targetUser(request, "delete", queryUser(request, ["user_id"]));
  try {
    await request.backend.deleteKeyPair(request.context, userId, request.params.name!);
  } catch (error) {
    if (KeyPairNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    throw error;
  }
  // 2.1 answers 202; 2.2 made it 204.
  return { status: request.version.atLeast("2.2") ? 204 : 202 };
};

/** `os-keypairs` endpoints. */
export const keyPairHandlers = {
  index: listKeyPairs,
  create: createKeyPair,
  show: showKeyPair,
  delete: deleteKeyPair,
};
