import type { CloudState } from "../../src/console-state.js";

function Usage({ used, total, unit }: { used: number; total: number; unit: string }) {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return (
    <span class="usage" title={`${used} of ${total} ${unit}`}>
      <span class="bar">
        <span style={{ width: `${pct}%` }} />
      </span>
      {used}/{total} {unit}
    </span>
  );
}

/** Services with heartbeat age and up/down, hypervisors with their usage, instances with their states. */
export function CloudTables({ cloud }: { cloud: CloudState | null }) {
  return (
    <section class="grid">
      <div class="panel">
        <h2>Services</h2>
        <table data-testid="services">
          <thead>
            <tr>
              <th>binary</th>
              <th>host</th>
              <th>state</th>
              <th>heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {cloud?.services.map((s) => (
              <tr key={`${s.binary}@${s.host}`}>
                <td>{s.binary}</td>
                <td>{s.host}</td>
                <td>
                  <span class={`pill ${s.state}`}>{s.state}</span>
                  {s.status === "disabled" ? <span class="pill disabled">disabled</span> : null}
                </td>
                <td>{s.heartbeat_age_s === null ? "never" : `${s.heartbeat_age_s} s ago`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="panel">
        <h2>Hypervisors</h2>
        <table data-testid="hypervisors">
          <thead>
            <tr>
              <th>node</th>
              <th>vCPUs</th>
              <th>memory</th>
              <th>VMs</th>
            </tr>
          </thead>
          <tbody>
            {cloud?.hypervisors.map((h) => (
              <tr key={h.name}>
                <td>
                  <span class={`dot ${h.state}`} /> {h.name}
                </td>
                <td>
                  <Usage used={h.vcpus_used} total={h.vcpus} unit="" />
                </td>
                <td>
                  <Usage used={h.memory_mb_used} total={h.memory_mb} unit="MiB" />
                </td>
                <td>{h.running_vms}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="panel">
        <h2>Instances</h2>
        <table data-testid="instances">
          <thead>
            <tr>
              <th>name</th>
              <th>status</th>
              <th>task</th>
              <th>host</th>
            </tr>
          </thead>
          <tbody>
            {cloud?.instances.map((i) => (
              <tr key={i.id} title={i.id}>
                <td>{i.name}</td>
                <td>
                  <span class={`pill ${i.status.toLowerCase()}`}>{i.status}</span>
                </td>
                <td>{i.task_state ?? "—"}</td>
                <td>{i.host ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
