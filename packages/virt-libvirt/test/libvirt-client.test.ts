import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LibvirtClient } from "../src/libvirt-client.js";
import { DomainEventType, DomainState, ListDomainsFlags } from "../src/libvirt-constants.js";
import { LibvirtError } from "../src/rpc/libvirt-error.js";
import type { DomainLifecycleMessage } from "../src/rpc/remote-types.js";
import { VirErrorNumber } from "../src/rpc/vir-error-codes.js";
import { requireLibvirtd, testDriverDomainXml, uniqueName } from "./support/libvirtd.js";

// Protocol tests against libvirtd's test driver: the real daemon, the real wire, no guests.
let client: LibvirtClient;

beforeAll(async () => {
  client = await LibvirtClient.connect({ uri: "test:///default", socketPath: requireLibvirtd() });
});

afterAll(async () => {
  await client?.close();
});

async function virCodeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!LibvirtError.isInstance(error)) throw new Error(`expected a LibvirtError, got ${String(error)}`);
  return error.virCodeName;
}

describe("LibvirtClient against test:///default", () => {
  it("opens the driver after AUTH_LIST and reports the host", async () => {
    expect(await client.getUri()).toBe("test:///default");
    expect(await client.getType()).toBe("TEST");
    expect(await client.getLibVersion()).toBeGreaterThanOrEqual(9_000_000);
    const node = await client.nodeGetInfo();
    expect(node).toMatchObject({ cpus: 16, nodes: 2, sockets: 2, cores: 2, threads: 2 });
    expect(node.memoryKb).toBeGreaterThan(0);
    expect(await client.getCapabilities()).toMatch(/^<capabilities>[\s\S]*<host>/);
  });

  it("defines, starts, pauses, resumes, stops and undefines a domain", async () => {
    const name = uniqueName("proto");
    const defined = await client.domainDefineXml(testDriverDomainXml(name));
    expect(defined.name).toBe(name);
    expect(defined.id).toBe(-1);
    expect(await client.domainLookupByUuid(defined.uuid)).toEqual(defined);
    expect((await client.domainGetState(defined)).state).toBe(DomainState.SHUTOFF);

    const started = await client.domainCreate(defined);
    expect(started.id).toBeGreaterThan(0);
    expect(await client.domainLookupByName(name)).toEqual(started);
    expect(await client.domainLookupById(started.id)).toEqual(started);
    expect(await client.domainIsActive(started)).toBe(true);
    expect(await client.domainGetInfo(started)).toMatchObject({
      state: DomainState.RUNNING,
      maxMemoryKb: 65536,
      vcpus: 1,
    });
    expect(await client.domainGetXmlDesc(started)).toContain(`<name>${name}</name>`);
    const running = await client.listAllDomains(ListDomainsFlags.ACTIVE);
    expect(running.map((d) => d.name)).toContain(name);

    await client.domainSuspend(started);
    expect((await client.domainGetState(started)).state).toBe(DomainState.PAUSED);
    await client.domainResume(started);
    expect((await client.domainGetState(started)).state).toBe(DomainState.RUNNING);
    await client.domainDestroy(started);
    expect((await client.domainGetState(started)).state).toBe(DomainState.SHUTOFF);
    await client.domainUndefine(started);
    expect(await virCodeOf(client.domainLookupByName(name))).toBe("VIR_ERR_NO_DOMAIN");
  });

  it("keeps libvirt's error numbers: no domain, operation invalid, already exists", async () => {
    const name = uniqueName("errors");
    expect(await virCodeOf(client.domainLookupByName(name))).toBe("VIR_ERR_NO_DOMAIN");
    expect(await virCodeOf(client.domainLookupByUuid(crypto.randomUUID()))).toBe("VIR_ERR_NO_DOMAIN");
    const d = await client.domainDefineXml(testDriverDomainXml(name));
    try {
      // Each number is what the daemon sent: the test driver reports some state errors as internal errors
      // (the QEMU driver says OPERATION_INVALID; the end-to-end test checks that one).
      expect(await virCodeOf(client.domainDestroy(d))).toBe("VIR_ERR_OPERATION_INVALID");
      expect(await virCodeOf(client.domainSuspend(d))).toBe("VIR_ERR_INTERNAL_ERROR");
      const running = await client.domainCreate(d);
      expect(await virCodeOf(client.domainResume(running))).toBe("VIR_ERR_INTERNAL_ERROR");
      await client.domainDestroy(running);
      // The same name with another uuid is refused.
      expect(await virCodeOf(client.domainDefineXml(testDriverDomainXml(name)))).toBe(
        "VIR_ERR_OPERATION_FAILED",
      );
      expect(await virCodeOf(client.domainDefineXml("<domain>"))).toBe("VIR_ERR_XML_DETAIL");
    } finally {
      await client.domainUndefine(d);
    }
    const error = await client.domainLookupByName(name).catch((e: unknown) => e);
    expect(LibvirtError.hasVirCode(error, VirErrorNumber.NO_DOMAIN)).toBe(true);
    expect(error).toMatchObject({ virDomainName: "VIR_FROM_TEST", isRetryable: false });
  });

  it("carries hundreds of calls in flight on one socket", async () => {
    const names = Array.from({ length: 20 }, () => uniqueName("flight"));
    const domains = await Promise.all(names.map((n) => client.domainDefineXml(testDriverDomainXml(n))));
    try {
      const lookups = Array.from({ length: 400 }, (_, i) =>
        client.domainLookupByName(names[i % names.length]!),
      );
      const states = domains.map((d) => client.domainGetState(d));
      const results = await Promise.all(lookups);
      expect(results.map((d) => d.name)).toEqual(
        Array.from({ length: 400 }, (_, i) => names[i % names.length]),
      );
      expect((await Promise.all(states)).every((s) => s.state === DomainState.SHUTOFF)).toBe(true);
      expect(client.inFlight).toBe(0);
    } finally {
      await Promise.all(domains.map((d) => client.domainUndefine(d)));
    }
  });

  it("delivers lifecycle events for a domain's life", async () => {
    const events: DomainLifecycleMessage[] = [];
    const name = uniqueName("events");
    const off = await client.onLifecycleEvent((e) => {
      if (e.domain.name === name) events.push(e);
    });
    try {
      const d = await client.domainDefineXml(testDriverDomainXml(name));
      const running = await client.domainCreate(d);
      await client.domainSuspend(running);
      await client.domainResume(running);
      await client.domainDestroy(running);
      await client.domainUndefine(d);
      await expect.poll(() => events.length).toBe(6);
      expect(events.map((e) => e.event)).toEqual([
        DomainEventType.DEFINED,
        DomainEventType.STARTED,
        DomainEventType.SUSPENDED,
        DomainEventType.RESUMED,
        DomainEventType.STOPPED,
        DomainEventType.UNDEFINED,
      ]);
    } finally {
      off();
    }
  });

  it("keeps an idle connection alive with keepalive pings the daemon answers", async () => {
    const idle = await LibvirtClient.connect({
      uri: "test:///default",
      socketPath: requireLibvirtd(),
      // A daemon that stopped answering would be given up on after 3 s (one interval plus two unanswered
      // pings); a loaded CI machine can delay one answer by a second without that being a failure.
      keepalive: { intervalSeconds: 1, count: 2 },
    });
    try {
      // Idle past that point, through four pings the daemon must answer.
      await new Promise((resolve) => setTimeout(resolve, 4500));
      expect(idle.closed).toBe(false);
      expect(await idle.getType()).toBe("TEST");
    } finally {
      await idle.close();
    }
  });

  it("fails calls on a closed client with a retryable transport error", async () => {
    const other = await LibvirtClient.connect({ uri: "test:///default", socketPath: requireLibvirtd() });
    await other.close();
    expect(other.closed).toBe(true);
    const error = await other.getType().catch((e: unknown) => e);
    expect(error).toMatchObject({ virDomainName: "VIR_FROM_RPC", isRetryable: true });
  });
});
