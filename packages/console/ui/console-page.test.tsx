// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it } from "vitest";
import type { ConsoleSnapshot, DecisionRecord, Flow } from "../src/console-state.js";
import { App, type EventFeed } from "./app.js";
import { applyEvent } from "./console-store.js";

afterEach(cleanup);

// An EventSource stand-in: the test sends the server's events by hand.
class FakeFeed implements EventFeed {
  private readonly listeners = new Map<string, Set<(e: MessageEvent) => void>>();
  addEventListener(type: string, l: (e: MessageEvent) => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(l);
  }
  removeEventListener(type: string, l: (e: MessageEvent) => void) {
    this.listeners.get(type)?.delete(l);
  }
  send(type: string, data: unknown) {
    for (const l of this.listeners.get(type) ?? []) l(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

const boot: Flow = {
  id: "req-1",
  title: "schedule_and_build_instances",
  origin: "api",
  started_at: 1_000,
  steps: [
    step(1, "cast", "api", "conductor", "conductor", "schedule_and_build_instances", null),
    step(2, "call", "conductor", "scheduler", "scheduler", "select_destinations", "aa11bb22cc"),
    step(3, "reply", "scheduler", "conductor", "reply_q1", "select_destinations", "aa11bb22cc"),
  ],
};

function step(
  seq: number,
  kind: Flow["steps"][number]["kind"],
  from: string,
  to: string,
  queue: string,
  method: string,
  msgId: string | null,
): Flow["steps"][number] {
  return {
    seq,
    kind,
    from,
    to,
    queue,
    method,
    msg_id: msgId,
    reply_queue: kind === "call" ? "reply_q1" : null,
    at_ms: seq * 2,
    duration_ms: seq,
    error: null,
  };
}

const snapshot: ConsoleSnapshot = {
  cloud: {
    read_at: 5_000,
    services: [
      { binary: "nova-compute", host: "fake-1", state: "down", status: "enabled", heartbeat_age_s: 75 },
    ],
    hypervisors: [
      {
        name: "fake-1",
        state: "up",
        vcpus_used: 2,
        vcpus: 8,
        memory_mb_used: 1024,
        memory_mb: 8192,
        running_vms: 1,
      },
    ],
    instances: [{ id: "u-1", name: "web-1", status: "BUILD", task_state: "spawning", host: "fake-1" }],
    error: null,
  },
  flows: [boot],
  decisions: [],
};

describe("the console page", () => {
  it("renders the snapshot, then a new step and a refusal as events arrive", () => {
    const feed = new FakeFeed();
    render(<App source={feed} />);
    expect(screen.getByText("connecting…")).toBeTruthy();
    act(() => feed.send("snapshot", snapshot));
    expect(screen.getByTestId("services").textContent).toContain("75 s ago");
    expect(screen.getByTestId("services").querySelector(".pill.down")?.textContent).toBe("down");
    expect(screen.getByTestId("hypervisors").textContent).toContain("2/8");
    expect(screen.getByTestId("instances").textContent).toContain("spawning");
    const rows = () =>
      [...screen.getByTestId("sequence").querySelectorAll("tbody tr")].map((r) =>
        r.getAttribute("data-step"),
      );
    expect(rows()).toEqual([
      "cast schedule_and_build_instances",
      "call select_destinations",
      "reply select_destinations",
    ]);

    act(() =>
      feed.send("flow", {
        ...boot,
        steps: [
          ...boot.steps,
          step(4, "call", "conductor", "compute.fake-1", "compute.fake-1", "build_and_run_instance", "dd"),
        ],
      }),
    );
    expect(rows()).toHaveLength(4);
    expect(rows()[3]).toBe("call build_and_run_instance");

    const refusal: DecisionRecord = {
      at: 6_000,
      request_id: "req-2",
      outcome: "no_valid_host",
      reason: "RamFilter",
      duration_ms: 3,
      hosts_considered: 2,
      stages: [
        { name: "ComputeFilter", hosts_in: 2, hosts_out: 2 },
        { name: "RamFilter", hosts_in: 2, hosts_out: 0 },
      ],
      rejected: [{ host: "fake-1", rejected_by: "RamFilter", reason: "not enough RAM" }],
    };
    act(() => feed.send("decision", refusal));
    const view = screen.getByTestId("no-valid-host");
    expect(view.textContent).toContain("no host left after RamFilter");
    expect(view.querySelector(".stage.emptied")?.textContent).toContain("2 → 0");
    expect(view.textContent).toContain("fake-1 by RamFilter: not enough RAM");
  });

  it("hides heartbeat flows unless asked, and shows a picked flow", () => {
    const feed = new FakeFeed();
    render(<App source={feed} />);
    const heartbeat: Flow = { ...boot, id: "req-hb", title: "service_update", origin: "periodic", steps: [] };
    act(() => feed.send("snapshot", { ...snapshot, flows: [boot, heartbeat] }));
    const list = screen.getByTestId("flow-list");
    expect(list.textContent).not.toContain("service_update");
    fireEvent.click(screen.getByRole("checkbox"));
    expect(list.textContent).toContain("service_update");
  });
});

describe("applyEvent", () => {
  it("keeps a known flow in its place and puts a new one on top", () => {
    let data = applyEvent({ cloud: null, flows: [], decisions: [] }, "snapshot", {
      ...snapshot,
      flows: [boot],
    });
    data = applyEvent(data, "flow", { ...boot, id: "req-9" });
    expect(data.flows.map((f) => f.id)).toEqual(["req-9", "req-1"]);
    data = applyEvent(data, "flow", { ...boot, title: "changed" });
    expect(data.flows.map((f) => f.title)).toEqual(["schedule_and_build_instances", "changed"]);
    expect(applyEvent(data, "unknown", {})).toBe(data);
  });
});
