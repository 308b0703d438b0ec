import type { DecisionRecord } from "../../src/console-state.js";

/** Each refused request: how every filter narrowed the hosts, and why each host was rejected. */
export function NoValidHostView({ decisions }: { decisions: DecisionRecord[] }) {
  const refused = decisions.filter((d) => d.outcome === "no_valid_host");
  return (
    <section class="panel" data-testid="no-valid-host">
      <h2>NoValidHost</h2>
      {refused.length === 0 ? <p class="muted">No request refused yet.</p> : null}
      {refused.slice(0, 5).map((d) => (
        <article key={`${d.at}-${d.request_id}`} class="decision">
          <h3>
            {new Date(d.at).toLocaleTimeString()} <span class="mono muted">{d.request_id}</span> — no host
            left after <b>{d.reason}</b> ({d.hosts_considered} considered)
          </h3>
          <div class="stages">
            {d.stages.map((s) => (
              <div key={s.name} class={`stage ${s.hosts_out === 0 ? "emptied" : ""}`}>
                <span class="stage-name">{s.name}</span>
                <span class="bar">
                  <span
                    style={{ width: `${d.hosts_considered ? (s.hosts_out / d.hosts_considered) * 100 : 0}%` }}
                  />
                </span>
                <span>
                  {s.hosts_in} → {s.hosts_out}
                </span>
              </div>
            ))}
          </div>
          <ul class="rejected">
            {d.rejected.map((r) => (
              <li key={r.host}>
                <b>{r.host}</b> by {r.rejected_by}: {r.reason}
              </li>
            ))}
          </ul>
        </article>
      ))}
    </section>
  );
}
