import type { TestVhost } from "@nova/testing";

async function management(vhost: TestVhost, method: string, path: string): Promise<unknown> {
  const { broker } = vhost;
  const auth = Buffer.from(`${broker.user}:${broker.password}`).toString("base64");
  const res = await fetch(`${broker.managementUrl}/api${path}`, {
    method,
    headers: { authorization: `Basic ${auth}`, "x-reason": "nova-ts test" },
  });
  if (!res.ok && !(method === "DELETE" && res.status === 404)) {
    throw new Error(`management ${method} ${path}: HTTP ${res.status}`);
  }
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** A connection as the management API lists it. */
export interface ManagedConnection {
  name: string;
  timeout: number;
  auth_mechanism: string;
  client_properties: Record<string, unknown>;
}

/** Connections open on the test vhost. */
export async function connections(vhost: TestVhost): Promise<ManagedConnection[]> {
  return (await management(
    vhost,
    "GET",
    `/vhosts/${encodeURIComponent(vhost.name)}/connections`,
  )) as ManagedConnection[];
}

/** Bindings of the test vhost. */
export async function bindings(
  vhost: TestVhost,
): Promise<Array<{ source: string; destination: string; routing_key: string }>> {
  return (await management(vhost, "GET", `/bindings/${encodeURIComponent(vhost.name)}`)) as Array<{
    source: string;
    destination: string;
    routing_key: string;
  }>;
}

/** Force-closes every connection of the test vhost (the broker sends connection.close, as on a restart). */
export async function closeConnections(vhost: TestVhost): Promise<number> {
  const list = await connections(vhost);
  for (const c of list) await management(vhost, "DELETE", `/connections/${encodeURIComponent(c.name)}`);
  return list.length;
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`condition not met within ${ms} ms${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Replaces uuid hex suffixes so generated names compare with captured ones. */
export function normalizeName(name: string): string {
  return name.replace(/[0-9a-f]{32}/g, "<uuid>");
}
