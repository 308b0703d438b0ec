import type { Instance } from "../objects/instance.js";

const CONVERSION = /%(?:\((\w+)\))?([-0]*)(\d*)([sdixX%])/g;

/** Nova's default `instance_name_template`: `instance-%08x` of the database id. */
export const DEFAULT_INSTANCE_NAME_TEMPLATE = "instance-%08x";

/**
 * Nova's `Instance.name`: the guest's name on the hypervisor (and the API's `OS-EXT-SRV-ATTR:instance_name`)
 * from `instance_name_template`. Supports Python's `%d`/`%x`/`%s` with flags and width, and named keys
 * (`%(uuid)s`). As Nova, falls back to the uuid when the template needs a value the instance does not have,
 * except for an instance still being scheduled with no id yet (a build request), which has no name.
 */
export function instanceName(
  template: string,
  instance: Pick<Partial<Instance>, "id" | "uuid" | "vm_state" | "task_state">,
): string {
  const uuid = instance.uuid ?? "";
  if (instance.id == null && instance.vm_state === "building" && instance.task_state === "scheduling")
    return "";
  let missing = false;
  const name = template.replace(CONVERSION, (_whole, key: string | undefined, flags: string, width, conv) => {
    if (conv === "%") return "%";
    const value = key === undefined ? instance.id : (instance as Record<string, unknown>)[key];
    if (value === undefined || value === null) {
      missing = true;
      return "";
    }
    let text: string;
    if (conv === "s") text = String(value);
    else {
      const n = typeof value === "number" ? Math.trunc(value) : Number.parseInt(String(value), 10);
      if (!Number.isFinite(n)) {
        missing = true;
        return "";
      }
      text = conv === "x" ? n.toString(16) : conv === "X" ? n.toString(16).toUpperCase() : String(n);
    }
    const w = Number.parseInt(width || "0", 10);
    if (flags.includes("-")) return text.padEnd(w, " ");
    return text.padStart(w, flags.includes("0") && conv !== "s" ? "0" : " ");
  });
  return missing ? uuid : name;
}
