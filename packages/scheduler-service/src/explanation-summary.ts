import { type SchedulingExplanation, summarizeExplanation } from "@nova/scheduler";

const MAX_REASONS = 3;

/**
 * The NoValidHost reason's detail: hosts in and out per step, then the distinct reasons the last step gave
 * (with how many hosts each), without host names. The full explanation goes to the log.
 */
export function explanationSummary(e: SchedulingExplanation): string {
  const parts = [summarizeExplanation(e)];
  if (e.emptied_by) {
    const counts = new Map<string, number>();
    for (const r of e.rejected) {
      if (r.rejected_by !== e.emptied_by) continue;
      counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1]);
    const shown = ranked
      .slice(0, MAX_REASONS)
      .map(([reason, n]) => `${reason} (${n} host${n === 1 ? "" : "s"})`);
    if (ranked.length > MAX_REASONS) shown.push(`${ranked.length - MAX_REASONS} more reason(s)`);
    if (shown.length > 0) parts.push(`${e.emptied_by}: ${shown.join("; ")}`);
  }
  return parts.join("; ");
}
