import type { Kysely } from "kysely";
import { bigText, type NovaMigration, type SqlDialect, withId, withSoftDelete } from "../schema-helpers.js";

const S = "varchar(255)";
const UUID = "varchar(36)";

/** The cell database: instances and everything about them, services, compute nodes. */
export function cellInitial(dialect: SqlDialect): NovaMigration {
  return {
    async up(db: Kysely<unknown>) {
      await withSoftDelete(
        withId(db.schema.createTable("instances"))
          .addColumn("uuid", UUID, (c) => c.notNull())
          .addColumn("user_id", S)
          .addColumn("project_id", S)
          .addColumn("image_ref", S)
          .addColumn("kernel_id", S)
          .addColumn("ramdisk_id", S)
          .addColumn("hostname", S)
          .addColumn("launch_index", "integer")
          .addColumn("key_name", S)
          .addColumn("key_data", bigText(dialect))
          .addColumn("power_state", "integer")
          .addColumn("vm_state", S)
          .addColumn("task_state", S)
          .addColumn("memory_mb", "integer")
          .addColumn("vcpus", "integer")
          .addColumn("root_gb", "integer")
          .addColumn("ephemeral_gb", "integer")
          .addColumn("ephemeral_key_uuid", UUID)
          .addColumn("host", S)
          .addColumn("node", S)
          .addColumn("instance_type_id", "integer")
          .addColumn("user_data", bigText(dialect))
          .addColumn("reservation_id", S)
          .addColumn("launched_at", "datetime")
          .addColumn("terminated_at", "datetime")
          .addColumn("availability_zone", S)
          .addColumn("display_name", S)
          .addColumn("display_description", S)
          .addColumn("launched_on", "text")
          .addColumn("locked", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("locked_by", S)
          .addColumn("os_type", S)
          .addColumn("architecture", S)
          .addColumn("vm_mode", S)
          .addColumn("root_device_name", S)
          .addColumn("default_ephemeral_device", S)
          .addColumn("default_swap_device", S)
          .addColumn("config_drive", S)
          .addColumn("access_ip_v4", "varchar(39)")
          .addColumn("access_ip_v6", "varchar(39)")
          .addColumn("auto_disk_config", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("progress", "integer")
          .addColumn("shutdown_terminate", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("disable_terminate", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("cell_name", S)
          .addColumn("cleaned", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("hidden", "boolean", (c) => c.notNull().defaultTo(0))
          .addUniqueConstraint("uniq_instances0uuid", ["uuid"]),
      ).execute();
      await db.schema
        .createIndex("instances_project_id_deleted_idx")
        .on("instances")
        .columns(["project_id", "deleted"])
        .execute();
      await db.schema
        .createIndex("instances_host_node_deleted_idx")
        .on("instances")
        .columns(["host", "node", "deleted"])
        .execute();
      await db.schema
        .createIndex("instances_deleted_created_at_idx")
        .on("instances")
        .columns(["deleted", "created_at"])
        .execute();
      await db.schema
        .createIndex("instances_task_state_updated_at_idx")
        .on("instances")
        .columns(["task_state", "updated_at"])
        .execute();

      // Nested objects Nova keeps beside the instance row, as JSON of their primitives.
      await withSoftDelete(
        withId(db.schema.createTable("instance_extra"))
          .addColumn("instance_uuid", UUID, (c) => c.notNull())
          .addColumn("flavor", "text")
          .addColumn("numa_topology", "text")
          .addColumn("pci_requests", "text")
          .addColumn("vcpu_model", "text")
          .addColumn("migration_context", "text")
          .addColumn("keypairs", "text")
          .addColumn("device_metadata", "text")
          .addColumn("trusted_certs", "text")
          .addColumn("resources", "text")
          .addUniqueConstraint("uniq_instance_extra0instance_uuid", ["instance_uuid"]),
      ).execute();

      for (const table of ["instance_metadata", "instance_system_metadata"]) {
        await withSoftDelete(
          withId(db.schema.createTable(table))
            .addColumn("instance_uuid", UUID, (c) => c.notNull())
            .addColumn("key", S, (c) => c.notNull())
            .addColumn("value", S),
        ).execute();
        await db.schema
          .createIndex(`${table}_instance_uuid_idx`)
          .on(table)
          .columns(["instance_uuid", "deleted"])
          .execute();
      }

      await withSoftDelete(
        withId(db.schema.createTable("instance_faults"))
          .addColumn("instance_uuid", UUID, (c) => c.notNull())
          .addColumn("code", "integer", (c) => c.notNull())
          .addColumn("message", S)
          .addColumn("details", bigText(dialect))
          .addColumn("host", S),
      ).execute();
      await db.schema
        .createIndex("instance_faults_instance_uuid_idx")
        .on("instance_faults")
        .columns(["instance_uuid", "deleted", "created_at"])
        .execute();

      await withSoftDelete(
        withId(db.schema.createTable("instance_actions"))
          .addColumn("action", S)
          .addColumn("instance_uuid", UUID)
          .addColumn("request_id", S)
          .addColumn("user_id", S)
          .addColumn("project_id", S)
          .addColumn("start_time", "datetime")
          .addColumn("finish_time", "datetime")
          .addColumn("message", S),
      ).execute();
      await db.schema
        .createIndex("instance_actions_uuid_request_idx")
        .on("instance_actions")
        .columns(["instance_uuid", "request_id"])
        .execute();

      await withSoftDelete(
        withId(db.schema.createTable("instance_actions_events"))
          .addColumn("event", S)
          .addColumn("action_id", "integer")
          .addColumn("start_time", "datetime")
          .addColumn("finish_time", "datetime")
          .addColumn("result", S)
          .addColumn("traceback", "text")
          .addColumn("host", S)
          .addColumn("details", "text"),
      ).execute();
      await db.schema
        .createIndex("instance_actions_events_action_idx")
        .on("instance_actions_events")
        .columns(["action_id"])
        .execute();

      await withSoftDelete(
        withId(db.schema.createTable("services"))
          .addColumn("uuid", UUID, (c) => c.notNull())
          .addColumn("host", S)
          .addColumn("binary", S)
          .addColumn("topic", S)
          .addColumn("report_count", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("disabled", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("disabled_reason", S)
          .addColumn("last_seen_up", "datetime")
          .addColumn("forced_down", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("version", "integer", (c) => c.notNull().defaultTo(0))
          .addUniqueConstraint("uniq_services0uuid", ["uuid"]),
      )
        .addUniqueConstraint("uniq_services0host0binary0deleted", ["host", "binary", "deleted"])
        .addUniqueConstraint("uniq_services0host0topic0deleted", ["host", "topic", "deleted"])
        .execute();

      await withSoftDelete(
        withId(db.schema.createTable("compute_nodes"))
          .addColumn("uuid", UUID, (c) => c.notNull())
          .addColumn("service_id", "integer")
          .addColumn("host", S)
          .addColumn("hypervisor_hostname", S)
          .addColumn("vcpus", "integer", (c) => c.notNull())
          .addColumn("memory_mb", "integer", (c) => c.notNull())
          .addColumn("local_gb", "integer", (c) => c.notNull())
          .addColumn("vcpus_used", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("memory_mb_used", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("local_gb_used", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("hypervisor_type", S, (c) => c.notNull())
          .addColumn("hypervisor_version", "integer", (c) => c.notNull())
          .addColumn("free_ram_mb", "integer")
          .addColumn("free_disk_gb", "integer")
          .addColumn("current_workload", "integer")
          .addColumn("running_vms", "integer")
          .addColumn("cpu_info", "text")
          .addColumn("disk_available_least", "integer")
          .addColumn("metrics", "text")
          .addColumn("stats", "text")
          .addColumn("host_ip", "varchar(39)")
          .addColumn("numa_topology", "text")
          .addColumn("supported_instances", "text")
          .addColumn("pci_stats", "text")
          .addColumn("cpu_allocation_ratio", "double precision", (c) => c.notNull())
          .addColumn("ram_allocation_ratio", "double precision", (c) => c.notNull())
          .addColumn("disk_allocation_ratio", "double precision", (c) => c.notNull())
          .addColumn("mapped", "integer", (c) => c.notNull().defaultTo(0))
          .addUniqueConstraint("uniq_compute_nodes0uuid", ["uuid"]),
      )
        .addUniqueConstraint("uniq_compute_nodes0host0hypervisor_hostname0deleted", [
          "host",
          "hypervisor_hostname",
          "deleted",
        ])
        .execute();
    },
  };
}
