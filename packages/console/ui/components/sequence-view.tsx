import { useState } from "preact/hooks";
import type { Flow, FlowStep } from "../../src/console-state.js";

const LANES = ["api", "conductor", "scheduler", "compute"];

// `compute.fake-1` is drawn on the compute lane; timers' work on the api lane's place.
function lane(name: string): number {
  const i = LANES.indexOf(name.split(".")[0] ?? name);
  return i === -1 ? 0 : i;
}

function ms(v: number | null): string {
  return v === null ? "…" : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
}

function Arrow({ step }: { step: FlowStep }) {
  const a = lane(step.from);
  const b = lane(step.to);
  const left = Math.min(a, b);
  const width = Math.max(1, Math.abs(b - a));
  return (
    <div class="lanes">
      <div
        class={`arrow ${step.kind} ${b < a ? "back" : ""} ${step.error ? "failed" : ""}`}
        style={{ left: `${(left + 0.5) * 25}%`, width: `${width * 25}%` }}
      />
    </div>
  );
}

/** One flow as a sequence diagram: a row per hop with its lanes, queue, msg_id, reply queue and time. */
export function FlowSequence({ flow }: { flow: Flow }) {
  return (
    <table class="sequence" data-testid="sequence">
      <thead>
        <tr>
          <th>#</th>
          <th class="lane-head">
            {LANES.map((l) => (
              <span key={l}>{l}</span>
            ))}
          </th>
          <th>step</th>
          <th>queue</th>
          <th>msg_id</th>
          <th>reply queue</th>
          <th>at</th>
          <th>took</th>
        </tr>
      </thead>
      <tbody>
        {flow.steps.map((s) => (
          <tr key={s.seq} data-step={`${s.kind} ${s.method}`} class={s.error ? "failed" : ""}>
            <td>{s.seq}</td>
            <td class="lane-cell">
              <Arrow step={s} />
            </td>
            <td>
              <span class={`kind ${s.kind}`}>{s.kind}</span> {s.method}
              {s.error ? <span class="pill error">{s.error}</span> : null}
            </td>
            <td class="mono" title={s.queue}>
              {s.queue.startsWith("reply_") ? `${s.queue.slice(0, 14)}…` : s.queue}
            </td>
            <td class="mono" title={s.msg_id ?? ""}>
              {s.msg_id ? s.msg_id.slice(0, 8) : "—"}
            </td>
            <td class="mono" title={s.reply_queue ?? ""}>
              {s.reply_queue ? s.reply_queue.slice(0, 14) : "—"}
            </td>
            <td>+{ms(s.at_ms)}</td>
            <td>{ms(s.duration_ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The live sequence view: the recent requests, and the chosen one's hops (the newest unless one is picked). */
export function SequenceView({ flows }: { flows: Flow[] }) {
  const [picked, setPicked] = useState<string | null>(null);
  const [periodic, setPeriodic] = useState(false);
  const shown = flows.filter((f) => periodic || f.origin === "api");
  const current = shown.find((f) => f.id === picked) ?? shown[0];
  return (
    <section class="panel">
      <h2>
        Message flows{" "}
        <label class="muted">
          <input type="checkbox" checked={periodic} onChange={() => setPeriodic(!periodic)} /> heartbeats and
          timers
        </label>
      </h2>
      <div class="flows">
        <ul class="flow-list" data-testid="flow-list">
          {shown.map((f) => (
            <li key={f.id} class={f === current ? "active" : ""}>
              <button type="button" onClick={() => setPicked(f.id)}>
                <b>{f.title}</b>
                <span class="mono muted">{f.id.slice(0, 12)}</span>
                <span class="muted">{f.steps.length} steps</span>
              </button>
            </li>
          ))}
        </ul>
        <div class="flow-detail">
          {current ? <FlowSequence flow={current} /> : <p class="muted">No request yet: boot a server.</p>}
        </div>
      </div>
    </section>
  );
}
