// The shapes the console server sends to the page (JSON over `/api/state` and server-sent events). The page
// imports these types only, so the two sides agree without sharing code.

/** One hop of a flow: a request published to a queue, or the reply sent back on the caller's reply queue. */
export interface FlowStep {
  /** Order within the flow, from 1. */
  seq: number;
  /** call, cast or fanout for a request; reply for the answer to a call. */
  kind: "call" | "cast" | "fanout" | "reply";
  /** Who sent it: the topic of the server whose method sent it, `api`, or `periodic` (a timer's work). */
  from: string;
  /** Who receives it: the target topic, or the caller for a reply. */
  to: string;
  /** The queue (routing key) it went to: `<topic>`, `<topic>.<server>`, or the caller's reply queue. */
  queue: string;
  /** The RPC method. */
  method: string;
  /** A call's `_msg_id` (its reply carries the same), null for a cast. */
  msg_id: string | null;
  /** A call's `_reply_q`, null for a cast. */
  reply_queue: string | null;
  /** Milliseconds since the flow began when the step started. */
  at_ms: number;
  /**
   * How long it took, in milliseconds: a call from publish to its reply, a cast from publish to the end of its
   * handling, a reply from being sent to being received. Null while running.
   */
  duration_ms: number | null;
  /** The error class when it failed. */
  error: string | null;
}

/** Every hop made for one request id (a boot, an action, a heartbeat). */
export interface Flow {
  /** The request id the hops share (the API's `global_request_id`, or the sender's `request_id`). */
  id: string;
  /** The first method sent: `schedule_and_build_instances` for a boot. */
  title: string;
  /** `api` when an API request started it, `periodic` for timers' work (heartbeats, audits). */
  origin: "api" | "periodic";
  /** Wall-clock milliseconds (epoch) of its first step. */
  started_at: number;
  /** The hops in the order they started. */
  steps: FlowStep[];
}

/** A nova service as the os-services API shows it, with the age of its last heartbeat. */
export interface ServiceRow {
  /** The binary (`nova-compute`, ...). */
  binary: string;
  /** The host it runs on. */
  host: string;
  /** `up` or `down` (heard from within `service_down_time`). */
  state: string;
  /** `enabled` or `disabled`. */
  status: string;
  /** Seconds since its last heartbeat, null if it never reported. */
  heartbeat_age_s: number | null;
}

/** A hypervisor and its usage. */
export interface HypervisorRow {
  /** The node's hypervisor hostname. */
  name: string;
  /** `up` or `down`. */
  state: string;
  /** vCPUs used and in all. */
  vcpus_used: number;
  /** vCPUs in all. */
  vcpus: number;
  /** Memory used and in all, in MiB. */
  memory_mb_used: number;
  /** Memory in all, in MiB. */
  memory_mb: number;
  /** Guests running. */
  running_vms: number;
}

/** An instance and its states. */
export interface InstanceRow {
  /** The server id. */
  id: string;
  /** Its name. */
  name: string;
  /** The API status (BUILD, ACTIVE, ERROR, ...). */
  status: string;
  /** Nova's task state, when one is running. */
  task_state: string | null;
  /** The host it is on, when it has one. */
  host: string | null;
}

/** What the cloud looks like now, read from the Compute API. */
export interface CloudState {
  /** Wall-clock milliseconds (epoch) of the read. */
  read_at: number;
  /** Every service with its heartbeat state. */
  services: ServiceRow[];
  /** Every hypervisor with its usage. */
  hypervisors: HypervisorRow[];
  /** Every instance with its states. */
  instances: InstanceRow[];
  /** Why the last read failed, when it did. */
  error: string | null;
}

/** One filtering step of a scheduling decision. */
export interface DecisionStage {
  /** The filter or pre-filter step. */
  name: string;
  /** Hosts the step was given. */
  hosts_in: number;
  /** Hosts the step let through. */
  hosts_out: number;
}

/** A scheduler decision, as the NoValidHost view shows it. */
export interface DecisionRecord {
  /** Wall-clock milliseconds (epoch). */
  at: number;
  /** The caller's request id (links a decision to its flow). */
  request_id: string | null;
  /** `selected` or `no_valid_host`. */
  outcome: "selected" | "no_valid_host";
  /** The filter that emptied the list, `not_enough_hosts` or `lost_races` for a refusal. */
  reason: string | null;
  /** Time the decision took, in milliseconds. */
  duration_ms: number;
  /** Hosts known when it started. */
  hosts_considered: number;
  /** Hosts in and out per step, in order. */
  stages: DecisionStage[];
  /** Each rejected host, the step that rejected it and why. */
  rejected: Array<{ host: string; rejected_by: string; reason: string }>;
}

/** Everything the page shows, as sent when it connects. */
export interface ConsoleSnapshot {
  /** The last read of the cloud, if any yet. */
  cloud: CloudState | null;
  /** The recent message flows, oldest first. */
  flows: Flow[];
  /** The recent scheduling decisions, oldest first. */
  decisions: DecisionRecord[];
}
