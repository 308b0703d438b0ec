import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("./fixtures/nova-rpc/", import.meta.url));

/** One captured RPC message (the decoded oslo.message) with its file name. */
export interface CapturedMessage {
  file: string;
  message: Record<string, unknown>;
}

/** Every captured message copied into this package's fixtures. */
export function capturedMessages(): CapturedMessage[] {
  return ["idle", "boot", "delete"].flatMap((phase) =>
    readdirSync(join(root, phase))
      .filter((n) => n.endsWith(".json"))
      .sort()
      .map((n) => ({
        file: `${phase}/${n}`,
        message: JSON.parse(readFileSync(join(root, phase, n), "utf8")).oslo_message,
      })),
  );
}

/** The message of one fixture file ("boot/003_...json"). */
export function captured(file: string): Record<string, unknown> {
  const hit = capturedMessages().find((m) => m.file === file);
  if (!hit) throw new Error(`no fixture ${file}`);
  return hit.message;
}

/** Every Nova object primitive inside a JSON value, outermost first. */
export function primitivesIn(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const v of value) primitivesIn(v, out);
  else if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if ("nova_object.name" in o) out.push(o);
    for (const v of Object.values(o)) primitivesIn(v, out);
  }
  return out;
}
