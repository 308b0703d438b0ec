import type { RequestContext, RpcEndpoint } from "@nova/messaging";
import { InstanceCodec, MigrationCodec } from "@nova/objects";
import { fromWireContext } from "@nova/rpcapi";
import type { ComputeManager } from "./compute-manager.js";
import { evacuateInstance } from "./evacuate-flow.js";
import { rebuildInstance } from "./rebuild-flow.js";
import { rescueInstance, unrescueInstance } from "./rescue-flow.js";
import { shelveInstance, shelveOffloadInstance, unshelveInstance } from "./shelve-flow.js";
import { snapshotInstance } from "./snapshot-flow.js";
import { restoreInstance, softDeleteInstance } from "./soft-delete-flow.js";

type Args = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const dict = (v: unknown): Record<string, unknown> | null =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/**
 * The compute RPC methods of rebuild, shelve, rescue, snapshots and soft delete, by Nova 6.x's names and
 * arguments (nova/compute/rpcapi.py); the manager serves them beside its own.
 */
export function lifecycleMethods(m: ComputeManager): RpcEndpoint["methods"] {
  const decode = (raw: unknown) => InstanceCodec.fromPrimitive(raw, "instance");
  const c = (ctx: RequestContext) => fromWireContext(ctx);
  return {
    rebuild_instance: (ctx, args: Args) =>
      args.recreate === true
        ? evacuateInstance(m, c(ctx), decode(args.instance), {
            migration: MigrationCodec.fromPrimitive(args.migration, "migration"),
            scheduledNode: str(args.scheduled_node),
            newPass: str(args.new_pass),
          })
        : rebuildInstance(m, c(ctx), decode(args.instance), {
            imageRef: str(args.image_ref) ?? "",
            newPass: str(args.new_pass),
            injectedFiles: args.injected_files,
            preserveEphemeral: args.preserve_ephemeral === true,
          }),
    shelve_instance: (ctx, args: Args) =>
      shelveInstance(m, c(ctx), decode(args.instance), str(args.image_id), args.clean_shutdown !== false),
    shelve_offload_instance: (ctx, args: Args) =>
      shelveOffloadInstance(m, c(ctx), decode(args.instance), args.clean_shutdown !== false),
    unshelve_instance: (ctx, args: Args) =>
      unshelveInstance(m, c(ctx), decode(args.instance), { image: dict(args.image), node: str(args.node) }),
    rescue_instance: (ctx, args: Args) =>
      rescueInstance(m, c(ctx), decode(args.instance), {
        rescuePassword: str(args.rescue_password),
        rescueImageRef: str(args.rescue_image_ref),
        cleanShutdown: args.clean_shutdown !== false,
      }),
    unrescue_instance: (ctx, args: Args) => unrescueInstance(m, c(ctx), decode(args.instance)),
    snapshot_instance: (ctx, args: Args) =>
      snapshotInstance(m, c(ctx), decode(args.instance), str(args.image_id) ?? "", { kind: "snapshot" }),
    backup_instance: (ctx, args: Args) =>
      snapshotInstance(m, c(ctx), decode(args.instance), str(args.image_id) ?? "", {
        kind: "backup",
        backupType: str(args.backup_type) ?? "",
        rotation: typeof args.rotation === "number" ? args.rotation : 0,
      }),
    soft_delete_instance: (ctx, args: Args) => softDeleteInstance(m, c(ctx), decode(args.instance)),
    restore_instance: (ctx, args: Args) => restoreInstance(m, c(ctx), decode(args.instance)),
  };
}
