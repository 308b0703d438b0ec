import { useEffect, useState } from "preact/hooks";
import { CloudTables } from "./components/cloud-tables.js";
import { NoValidHostView } from "./components/no-valid-host-view.js";
import { SequenceView } from "./components/sequence-view.js";
import { applyEvent, type ConsoleData } from "./console-store.js";

/** What the page listens to: an EventSource in the browser, a fake in component tests. */
export interface EventFeed {
  addEventListener(type: string, listener: (e: MessageEvent) => void): void;
  removeEventListener(type: string, listener: (e: MessageEvent) => void): void;
}

const EVENTS = ["snapshot", "flow", "decision", "cloud"];

/** The console page: the cloud at a glance, each request's message flow, and the scheduler's refusals. */
export function App({ source }: { source: EventFeed }) {
  const [data, setData] = useState<ConsoleData>({ cloud: null, flows: [], decisions: [] });
  useEffect(() => {
    const listeners = EVENTS.map((type) => {
      const listener = (e: MessageEvent) => setData((d) => applyEvent(d, type, JSON.parse(String(e.data))));
      source.addEventListener(type, listener);
      return [type, listener] as const;
    });
    return () => {
      for (const [type, l] of listeners) source.removeEventListener(type, l);
    };
  }, [source]);
  return (
    <main>
      <header>
        <h1>nova-ts console</h1>
        <span class="muted">
          {data.cloud ? `cloud read ${new Date(data.cloud.read_at).toLocaleTimeString()}` : "connecting…"}
          {data.cloud?.error ? ` — ${data.cloud.error}` : ""}
        </span>
      </header>
      <CloudTables cloud={data.cloud} />
      <SequenceView flows={data.flows} />
      <NoValidHostView decisions={data.decisions} />
    </main>
  );
}
