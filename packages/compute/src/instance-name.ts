import type { Instance } from "@nova/objects";

const CONVERSION = /%(?:\((\w+)\))?([-0]*)(\d*)([sdixX%])/g;

/**
 * The guest's name on the hypervisor from Nova's `instance_name_template` (default `instance-%08x` of the
 * instance id). Supports Python's `%d`/`%x`/`%s` with flags and width, and named keys (`%(uuid)s`). As Nova,
 * falls back to the uuid when the template needs a value the instance does not have.
 */
export function instanceName(template: string, instance: Pick<Partial<Instance>, "id" | "uuid">): string {
  const uuid = instance.uuid ?? "";
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
