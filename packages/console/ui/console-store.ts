import type { CloudState, ConsoleSnapshot, DecisionRecord, Flow } from "../src/console-state.js";

/** What the page holds: the last snapshot, updated by each server-sent event. */
export interface ConsoleData {
  cloud: CloudState | null;
  /** Newest first. */
  flows: Flow[];
  /** Newest first. */
  decisions: DecisionRecord[];
}

const MAX_FLOWS = 200;

/** The page's state after a `snapshot` event. */
export function fromSnapshot(s: ConsoleSnapshot): ConsoleData {
  return { cloud: s.cloud, flows: [...s.flows].reverse(), decisions: [...s.decisions].reverse() };
}

/** The page's state after one `flow`, `decision` or `cloud` event. */
export function applyEvent(data: ConsoleData, event: string, payload: unknown): ConsoleData {
  switch (event) {
    case "snapshot":
      return fromSnapshot(payload as ConsoleSnapshot);
    case "flow": {
      const flow = payload as Flow;
      const rest = data.flows.filter((f) => f.id !== flow.id);
      const known = rest.length !== data.flows.length;
      // A flow keeps its place when it changes; a new one goes on top.
      const flows = known ? data.flows.map((f) => (f.id === flow.id ? flow : f)) : [flow, ...rest];
      return { ...data, flows: flows.slice(0, MAX_FLOWS) };
    }
    case "decision":
      return { ...data, decisions: [payload as DecisionRecord, ...data.decisions].slice(0, 50) };
    case "cloud":
      return { ...data, cloud: payload as CloudState };
    default:
      return data;
  }
}
