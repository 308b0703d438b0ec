import {
  createBackupActionSchema,
  createImageActionSchema,
  rebuildActionSchemaFor,
  rescueActionSchema,
  unshelveActionSchemaFor,
} from "@nova/client";
import { boolFromString } from "../bool-from-string.js";
import type { ServerRecord } from "../compute-backend.js";
import { ConflictError } from "../errors/conflict.js";
import { ImageNotFoundError } from "../errors/image-not-found.js";
import { InstanceNotFoundError } from "../errors/instance-not-found.js";
import { InvalidRequestError } from "../errors/invalid-request.js";
import { KeyPairNotFoundError } from "../errors/key-pair-not-found.js";
import { QuotaExceededError } from "../errors/quota-exceeded.js";
import { HttpFault } from "../http-fault.js";
import type { ApiRequest, Handler } from "../router.js";
import type { RebuildSpec, UnshelveSpec } from "../server-lifecycle-backend.js";
import { validateBody } from "../validation.js";
import { glanceImageBase } from "../views/image-view.js";
import { updateView } from "./server-updates.js";
import { conflictFor, generatePassword, ownerTarget, visibleServer } from "./servers.js";

// Rebuild (servers.py _action_rebuild), shelve (shelve.py), rescue (rescue.py), createImage (servers.py
// _action_create_image), createBackup (create_backup.py), restore and forceDelete (deferred_delete.py), with
// Nova's policies and answers.

const owner = ownerTarget;

/** The errors every lifecycle action answers alike: 404, 400 for a bad image or key, 403 quota, 409 state. */
function answerFailure(error: unknown, action: string, request: ApiRequest): never {
  if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
  if (ImageNotFoundError.isInstance(error)) throw HttpFault.badRequest(error.message);
  if (InvalidRequestError.isInstance(error)) throw HttpFault.badRequest(error.message);
  if (KeyPairNotFoundError.isInstance(error)) throw HttpFault.badRequest(error.message);
  if (QuotaExceededError.isInstance(error)) throw HttpFault.forbidden(error.message);
  if (ConflictError.isInstance(error)) throw HttpFault.conflict(error.message);
  conflictFor(error, action, request.params.id!);
}

/** `rebuild`: 202 with the server (as PUT shows it) and its new admin password. */
const rebuild: Handler = async (request) => {
  const { version } = request;
  const body = validateBody(rebuildActionSchemaFor(version), request.body).rebuild as Record<string, unknown>;
  const server = await visibleServer(request);
  request.authorize("os_compute_api:servers:rebuild", owner(server));
  if (version.atLeast("2.63") && "trusted_image_certificates" in body) {
    request.authorize("os_compute_api:servers:rebuild:trusted_certs", owner(server));
    if (body.trusted_image_certificates !== null) {
      throw HttpFault.badRequest("Image certificate validation is not supported by this cloud.");
    }
  }
  const personality = (body.personality as { path?: string; contents?: string }[] | undefined) ?? [];
  const spec: RebuildSpec = {
    imageRef: body.imageRef as string,
    adminPass: (body.adminPass as string | undefined) ?? generatePassword(),
    preserveEphemeral: boolFromString(body.preserve_ephemeral ?? false) ?? false,
    personality: personality.map((p) => [p.path ?? "", p.contents ?? ""]),
  };
  if (body.name !== undefined) spec.name = body.name as string;
  if (body.metadata !== undefined) spec.metadata = body.metadata as Record<string, string>;
  if (body.accessIPv4 !== undefined) spec.accessIPv4 = body.accessIPv4 as string;
  if (body.accessIPv6 !== undefined) spec.accessIPv6 = body.accessIPv6 as string;
  if (body["OS-DCF:diskConfig"] !== undefined) spec.autoDiskConfig = body["OS-DCF:diskConfig"] === "AUTO";
  if (body.description !== undefined) spec.description = body.description as string | null;
  if (body.key_name !== undefined) spec.keyName = body.key_name as string | null;
  if (body.user_data !== undefined) spec.userData = body.user_data as string | null;
  if (body.hostname !== undefined) spec.hostname = body.hostname as string;
  let rebuilt: ServerRecord;
  try {
    rebuilt = await request.backend.rebuildServer(request.context, server.uuid, spec);
  } catch (error) {
    answerFailure(error, "rebuild", request);
  }
  const view = updateView(rebuilt, request);
  view.adminPass = spec.adminPass;
  // From 2.57 the answer carries the (possibly reset) user data.
  if (version.atLeast("2.57")) view.user_data = rebuilt.userData ?? null;
  return { status: 202, body: { server: view } };
};

/** An action with no body to read: loads the server, checks `rule` on its owner, runs `run`, answers 202. */
function simpleAction(
  action: string,
  rule: string,
  run: (request: ApiRequest, server: ServerRecord) => Promise<void>,
): Handler {
  return async (request) => {
    const server = await visibleServer(request);
    request.authorize(rule, owner(server));
    try {
      await run(request, server);
    } catch (error) {
      answerFailure(error, action, request);
    }
    return { status: 202 };
  };
}

const shelve = simpleAction("shelve", "os_compute_api:os-shelve:shelve", (r, s) =>
  r.backend.shelveServer(r.context, s.uuid),
);

const shelveOffload = simpleAction("shelveOffload", "os_compute_api:os-shelve:shelve_offload", (r, s) =>
  r.backend.shelveOffloadServer(r.context, s.uuid),
);

/** `unshelve`: 2.77 may name a zone, 2.91 a zone (null: unpin) and/or a host (admin). */
const unshelve: Handler = async (request) => {
  const body = validateBody(unshelveActionSchemaFor(request.version), request.body).unshelve as
    | { availability_zone?: string | null; host?: string }
    | null
    | undefined;
  const server = await visibleServer(request);
  request.authorize("os_compute_api:os-shelve:unshelve", owner(server));
  const spec: UnshelveSpec = {};
  if (request.version.atLeast("2.77") && body && typeof body === "object") {
    if ("availability_zone" in body) spec.availabilityZone = body.availability_zone ?? null;
    if (body.host !== undefined) {
      request.authorize("os_compute_api:os-shelve:unshelve_to_host", owner(server));
      spec.host = body.host;
    }
  }
  try {
    await request.backend.unshelveServer(request.context, server.uuid, spec);
  } catch (error) {
    answerFailure(error, "unshelve", request);
  }
  return { status: 202 };
};

/** `rescue`: 200 with the rescue guest's admin password. */
const rescue: Handler = async (request) => {
  const body = validateBody(rescueActionSchema, request.body).rescue;
  const server = await visibleServer(request);
  request.authorize("os_compute_api:os-rescue", owner(server));
  const adminPass = body?.adminPass ?? generatePassword();
  try {
    await request.backend.rescueServer(request.context, server.uuid, {
      adminPass,
      rescueImageRef: body?.rescue_image_ref ?? null,
    });
  } catch (error) {
    answerFailure(error, "rescue", request);
  }
  return { status: 200, body: { adminPass } };
};

const unrescue = simpleAction("unrescue", "os_compute_api:os-unrescue", (r, s) =>
  r.backend.unrescueServer(r.context, s.uuid),
);

/** Where a new image is: Glance when one is configured (Nova's generate_image_url), else this API's image. */
function imageLocation(request: ApiRequest, imageId: string): string {
  const glance = glanceImageBase(request.config);
  return glance === undefined ? request.links.href("images", imageId) : `${glance}/images/${imageId}`;
}

/** `createImage`: 202; the image's Location before 2.45, `{"image_id"}` from 2.45. */
const createImage: Handler = async (request) => {
  const { name, metadata } = validateBody(createImageActionSchema, request.body).createImage;
  const server = await visibleServer(request);
  request.authorize("os_compute_api:servers:create_image", owner(server));
  let imageId: string;
  try {
    imageId = await request.backend.createServerImage(request.context, server.uuid, {
      name,
      metadata: metadata ?? {},
    });
  } catch (error) {
    answerFailure(error, "createImage", request);
  }
  if (request.version.atLeast("2.45")) return { status: 202, body: { image_id: imageId } };
  return { status: 202, headers: { Location: imageLocation(request, imageId) } };
};

/** `createBackup`: 202; Location (rotation above 0) before 2.45, `{"image_id"}` from 2.45. */
const createBackup: Handler = async (request) => {
  const body = validateBody(createBackupActionSchema, request.body).createBackup;
  const server = await visibleServer(request);
  request.authorize("os_compute_api:os-create-backup", owner(server));
  const rotation = Number(body.rotation);
  let imageId: string;
  try {
    imageId = await request.backend.createServerBackup(request.context, server.uuid, {
      name: body.name,
      metadata: body.metadata ?? {},
      backupType: body.backup_type,
      rotation,
    });
  } catch (error) {
    answerFailure(error, "createBackup", request);
  }
  if (request.version.atLeast("2.45")) return { status: 202, body: { image_id: imageId } };
  return {
    status: 202,
    ...(rotation > 0 ? { headers: { Location: request.links.href("images", imageId) } } : {}),
  };
};

const restore = simpleAction("restore", "os_compute_api:os-deferred-delete:restore", (r, s) =>
  r.backend.restoreServer(r.context, s.uuid),
);

const forceDelete = simpleAction("forceDelete", "os_compute_api:os-deferred-delete:force", (r, s) =>
  r.backend.forceDeleteServer(r.context, s.uuid),
);

/** `POST /servers/{id}/action` handlers of rebuild, shelve, rescue, snapshots and soft delete. */
export const serverLifecycleActions: Record<string, Handler> = {
  rebuild,
  shelve,
  shelveOffload,
  unshelve,
  rescue,
  unrescue,
  createImage,
  createBackup,
  restore,
  forceDelete,
};
