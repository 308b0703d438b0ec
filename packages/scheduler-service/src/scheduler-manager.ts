import { type Clock, hasErrorCode, type Logger } from "@nova/core";
import type { CellDatabase } from "@nova/db";
import type { RequestContext, RpcEndpoint } from "@nova/messaging";
import { type RequestSpec as NovaRequestSpec, RequestSpecCodec } from "@nova/objects";
import { fromWireContext, NoValidHost, type NovaContext, SCHEDULER_API_VERSION } from "@nova/rpcapi";
import {
  type Consumption,
  NoValidHostError,
  PluginFailedError,
  PluginRegistry,
  type RequestSpec,
  Scheduler,
  type SchedulingExplanation,
  type SchedulingObserver,
  type Selection,
} from "@nova/scheduler";
import type { ServiceRecord as ServiceGroupRecord } from "@nova/servicegroup";
import { createComputeFilter, serviceGroupComputeFilter } from "./compute-filter.js";
import type { SchedulerServiceConfig } from "./config.js";
import { explanationSummary } from "./explanation-summary.js";
import type { HostStateCache } from "./host-state-cache.js";
import { type InstanceResources, instanceResources, schedulerRequestFrom } from "./request-spec-mapping.js";
import { CellNotAnsweringError, InvalidSchedulingRequestError } from "./scheduler-service-error.js";
import { legacyHostDict, type PickedHost, selectionPrimitive } from "./selection-primitive.js";

/** What a scheduler manager is built from. */
export interface SchedulerManagerDeps {
  /** The host states requests are placed over. */
  cache: HostStateCache;
  /** The cell database the claims are written to. */
  cellDb: CellDatabase;
  /** The parsed configuration. */
  config: SchedulerServiceConfig;
  /** The uuid of the cell this scheduler places into. */
  cellUuid: string;
  /** Judges service liveness. */
  clock: Clock;
  /** Where decisions and refusals are logged. */
  logger: Logger;
  /** Filters and weighers by name (custom ones added); ComputeFilter is always the servicegroup one. */
  plugins?: PluginRegistry;
  /** Uniform in [0, 1): host_subset_size and shuffle_best_same_weighed_hosts. */
  random?: () => number;
  /** Told of every decision, with its explanation (explanations are built on success too when set). */
  observer?: SchedulingObserver | undefined;
  /**
   * Nova's `service_is_up` over a servicegroup driver named by `servicegroup_driver`: asked for every compute
   * before each request, and ComputeFilter follows its answers. Absent: the database's heartbeat stamps.
   */
  serviceIsUp?: ((service: ServiceGroupRecord) => Promise<boolean>) | undefined;
  /**
   * `[DEFAULT] cell_timeout` (s) for a scheduler over several cells: a placement this cell's database does not
   * finish in time fails with CellNotAnsweringError (the next cell is asked), and what it claims later is given
   * back. Absent: a placement waits for its database as long as it takes.
   */
  cellTimeout?: number | undefined;
}

/** Options of one selectDestinations call. */
export interface SelectOptions {
  /** Return the chosen host's alternates too (up to `max_attempts - 1`, same cell). */
  returnAlternates: boolean;
  /** For logs: the caller's request id. */
  requestId?: string;
}

/** One placed instance: the claimed host, then its alternates. */
export interface PlacedInstance {
  /** The instance placed (null for a request without uuids). */
  instanceUuid: string | null;
  /** The host claimed for it. */
  chosen: PickedHost;
  /** The hosts it may be rescheduled to. */
  alternates: PickedHost[];
}

/** Counters of what the manager has done, for logs and tests. */
export interface SchedulerManagerStats {
  /** Claims written to the cell database. */
  claims: number;
  /** Claims that lost a race (node full or changed under us) and made the scheduler pick again. */
  lostClaims: number;
  /** Claims given back because a multi-instance request could not be completed. */
  releasedClaims: number;
  /** Requests refused with NoValidHost. */
  noValidHost: number;
}

// Each lost race re-reads the node it lost on, so the next pick is better informed; this bounds the rounds a
// request spends when other schedulers keep winning.
const MAX_CLAIM_ROUNDS = 10;

const LOGGED_REJECTIONS = 50;

// What one observed decision learnt on its way, for the observer's report.
interface DecisionNote {
  explanation: SchedulingExplanation | null;
  reason: string | null;
}

/**
 * Nova's SchedulerManager: select_destinations (filter and weigh with @nova/scheduler, then an atomic claim
 * in the cell database per pick) and the computes' instance fanouts, served as an RPC endpoint (4.5).
 */
export class SchedulerManager {
  private readonly scheduler: Scheduler;
  // The computes the servicegroup driver said were up before this request (with `serviceIsUp` only).
  private upHosts: ReadonlySet<string> = new Set();
  private readonly counters: SchedulerManagerStats = {
    claims: 0,
    lostClaims: 0,
    releasedClaims: 0,
    noValidHost: 0,
  };

  /**
   * A manager over `deps`; its scheduler gets the service group's ComputeFilter registered among
   * `deps.plugins`.
   */
  constructor(private readonly deps: SchedulerManagerDeps) {
    const plugins = deps.plugins ?? new PluginRegistry();
    plugins.registerFilter(
      deps.serviceIsUp ? createComputeFilter(() => this.upHosts) : serviceGroupComputeFilter,
    );
    this.scheduler = new Scheduler({
      config: deps.config.scheduler,
      hosts: deps.cache.hosts,
      plugins,
      clock: deps.clock,
      ...(deps.random ? { random: deps.random } : {}),
    });
  }

  // Nova's ComputeFilter asks service_is_up host by host; the filters here are synchronous, so the driver is
  // asked for every compute at once before the request (a failing or hung check reads that host down).
  private async askServiceGroup(): Promise<void> {
    const isUp = this.deps.serviceIsUp;
    if (!isUp) return;
    const hosts = new Map(this.deps.cache.hosts.all().map((h) => [h.host, h.service] as const));
    const up = await Promise.all(
      [...hosts].map(([host, s]) =>
        isUp({
          host,
          binary: "nova-compute",
          topic: "compute",
          forcedDown: s.forced_down === true,
          disabled: s.disabled,
          disabledReason: s.disabled_reason ?? null,
          reportCount: 0,
          lastSeenUp: s.last_seen_up,
          createdAt: 0,
          updatedAt: null,
        }).then((ok) => (ok ? host : undefined)),
      ),
    );
    this.upHosts = new Set(up.filter((h): h is string => h !== undefined));
  }

  /** Counters since creation. */
  get stats(): Readonly<SchedulerManagerStats> {
    return { ...this.counters };
  }

  /** The RPC endpoint served on the `scheduler` topic. */
  endpoint(): RpcEndpoint {
    return {
      version: SCHEDULER_API_VERSION,
      methods: {
        select_destinations: (ctx: RequestContext, args: Record<string, unknown>) =>
          this.selectDestinationsRpc(ctx, args),
        update_instance_info: (_ctx: RequestContext, args: Record<string, unknown>) =>
          this.deps.cache.updateInstanceInfo(
            str(args.host_name, "host_name"),
            instanceUuidsOf(args.instance_info),
          ),
        delete_instance_info: (_ctx: RequestContext, args: Record<string, unknown>) =>
          this.deps.cache.deleteInstanceInfo(
            str(args.host_name, "host_name"),
            str(args.instance_uuid, "instance_uuid"),
          ),
        // Nova's update_aggregates / delete_aggregate fanouts: this scheduler re-reads the aggregates from
        // the API database (the poll would, within one refresh interval) rather than trusting the payload.
        update_aggregates: () => this.deps.cache.reloadAggregates(),
        delete_aggregate: () => this.deps.cache.reloadAggregates(),
        sync_instance_info: (_ctx: RequestContext, args: Record<string, unknown>) =>
          this.deps.cache.syncInstanceInfo(
            str(args.host_name, "host_name"),
            strings(args.instance_uuids, "instance_uuids"),
          ),
      },
    };
  }

  /**
   * Picks and claims a host per instance (consuming between picks), with alternates. Throws rpcapi's
   * NoValidHost, its reason summarising why, when the request cannot be placed; no claim is left behind then.
   */
  async selectDestinations(
    ctx: Pick<NovaContext, "request_id">,
    specObj: Partial<NovaRequestSpec>,
    instanceUuids: readonly string[] | null,
    options: SelectOptions,
  ): Promise<PlacedInstance[]> {
    const observer = this.deps.observer;
    if (!observer) return this.placeWithin(ctx, specObj, instanceUuids, options);
    const started = performance.now();
    const note: DecisionNote = { explanation: null, reason: null };
    const report = (outcome: "selected" | "no_valid_host", reason: string | null) =>
      observer.decision({
        request_id: ctx.request_id,
        outcome,
        seconds: (performance.now() - started) / 1000,
        reason,
        explanation: note.explanation,
      });
    try {
      const placed = await this.placeWithin(ctx, specObj, instanceUuids, options, note);
      report("selected", null);
      return placed;
    } catch (err) {
      if (NoValidHost.isInstance(err)) report("no_valid_host", note.reason ?? "no_valid_host");
      throw err;
    }
  }

  // place() bounded by cell_timeout. The placement goes on when the caller stops waiting (a hung query cannot be
  // taken back); whatever it claims then is given back, so a cell that answers late keeps no phantom claim.
  private placeWithin(
    ctx: Pick<NovaContext, "request_id">,
    specObj: Partial<NovaRequestSpec>,
    instanceUuids: readonly string[] | null,
    options: SelectOptions,
    note?: DecisionNote,
  ): Promise<PlacedInstance[]> {
    const seconds = this.deps.cellTimeout;
    if (seconds === undefined) return this.place(ctx, specObj, instanceUuids, options, note);
    let gaveUp = false;
    const run = this.place(ctx, specObj, instanceUuids, options, note).then(async (placed) => {
      if (gaveUp) {
        this.deps.logger.warn(
          {
            request_id: ctx.request_id,
            cell_uuid: this.deps.cellUuid,
            hosts: placed.map((p) => p.chosen.host),
          },
          "a placement finished after cell_timeout; giving its claims back",
        );
        await this.giveBack(placed, instanceResources(schedulerRequestFrom(specObj, instanceUuids)));
      }
      return placed;
    });
    return new Promise<PlacedInstance[]>((resolve, reject) => {
      const timer = this.deps.clock.setTimer(seconds * 1000, () => {
        gaveUp = true;
        reject(new CellNotAnsweringError(this.deps.cellUuid, seconds));
      });
      run.then(
        (placed) => {
          timer.cancel();
          if (!gaveUp) resolve(placed);
        },
        (err: unknown) => {
          timer.cancel();
          if (!gaveUp) reject(err);
        },
      );
    });
  }

  private async place(
    ctx: Pick<NovaContext, "request_id">,
    specObj: Partial<NovaRequestSpec>,
    instanceUuids: readonly string[] | null,
    options: SelectOptions,
    note?: DecisionNote,
  ): Promise<PlacedInstance[]> {
    const spec = schedulerRequestFrom(specObj, instanceUuids);
    const count =
      instanceUuids && instanceUuids.length > 0 ? instanceUuids.length : (spec.num_instances ?? 1);
    const resources = instanceResources(spec);
    const consumption: Consumption = {
      vcpus: spec.flavor.vcpus,
      memory_mb: spec.flavor.memory_mb,
      disk_gb: spec.flavor.root_gb + spec.flavor.ephemeral_gb,
      placement_disk_gb: resources.local_gb,
    };
    const placed: PlacedInstance[] = [];
    try {
      for (let round = 0; placed.length < count; round++) {
        if (round >= MAX_CLAIM_ROUNDS) {
          if (note) note.reason = "lost_races";
          throw this.fail(ctx, "Claims on the chosen hosts kept losing races to other schedulers.", null);
        }
        await this.placeBatch(ctx, spec, instanceUuids, count, placed, consumption, resources, note);
      }
    } catch (err) {
      await this.giveBack(placed, resources);
      throw err;
    }
    // Nova never offers a host picked for this request as an alternate.
    const chosen = new Set(placed.map((p) => p.chosen.compute_node_uuid));
    const numAlts = options.returnAlternates ? this.deps.config.scheduler.max_attempts - 1 : 0;
    for (const p of placed) {
      p.alternates = p.alternates.filter((a) => !chosen.has(a.compute_node_uuid)).slice(0, numAlts);
    }
    this.deps.logger.info(
      {
        request_id: ctx.request_id,
        hosts: placed.map((p) => `${p.chosen.host}/${p.chosen.nodename}`),
        alternates: placed.map((p) => p.alternates.length),
      },
      "selected destinations",
    );
    return placed;
  }

  // One pass: pick for the instances still unplaced, reserve every pick at once (so concurrent requests in
  // this process see them), then claim each in the database. A lost claim re-reads its node and ends the
  // pass; the instances after it are picked again in the next one.
  private async placeBatch(
    ctx: Pick<NovaContext, "request_id">,
    spec: RequestSpec,
    uuids: readonly string[] | null,
    count: number,
    placed: PlacedInstance[],
    consumption: Consumption,
    resources: InstanceResources,
    note?: DecisionNote,
  ): Promise<void> {
    const cache = this.deps.cache;
    const batchUuids = uuids && uuids.length > 0 ? uuids.slice(placed.length) : null;
    const group = spec.instance_group
      ? { ...spec.instance_group, hosts: [...spec.instance_group.hosts, ...placed.map((p) => p.chosen.host)] }
      : null;
    const batch: RequestSpec = {
      ...spec,
      instance_uuids: batchUuids,
      instance_uuid: batchUuids?.[0] ?? spec.instance_uuid ?? null,
      num_instances: count - placed.length,
      instance_group: group,
    };
    let selections: Selection[][];
    const select = () => {
      try {
        const result = this.scheduler.selectDestinations(batch, {
          claim: false,
          explain: note !== undefined,
        });
        if (note) note.explanation = result.explanation;
        return result.selections;
      } catch (err) {
        // A custom filter or weigher failed: this request is refused with its reason; the scheduler serves on.
        if (PluginFailedError.isInstance(err)) throw this.fail(ctx, err.message, null);
        throw err;
      }
    };
    await this.askServiceGroup();
    try {
      selections = select();
    } catch (first) {
      if (!NoValidHostError.isInstance(first)) throw first;
      // Nova reads host states on every request, so a compute node registered since the last poll is
      // schedulable at once there: poll now before refusing, and pick again.
      await cache.refresh();
      await this.askServiceGroup();
      try {
        selections = select();
      } catch (err) {
        if (!NoValidHostError.isInstance(err)) throw err;
        if (note) {
          note.explanation = err.explanation;
          note.reason = count > 1 ? "not_enough_hosts" : (err.explanation.emptied_by ?? "no_valid_host");
        }
        // Nova's wording: a multi-instance request that cannot be completed has not enough hosts.
        throw this.fail(ctx, count > 1 ? "There are not enough hosts available." : err.reason, err);
      }
    }
    const picks = selections.map((list) => list.map((s) => this.picked(s)));
    const tokens = selections.map((list, i) => {
      const first = list[0]!;
      return cache.reserve(cache.hosts.get(first.host, first.nodename), consumption, batchUuids?.[i] ?? null);
    });
    try {
      for (let i = 0; i < picks.length; i++) {
        const [chosen, ...alternates] = picks[i]!;
        try {
          const claimed = await this.deps.cellDb.computeNodes.claim(chosen!.compute_node_uuid, resources);
          cache.confirm(tokens[i]!, claimed);
          this.counters.claims++;
          placed.push({ instanceUuid: batchUuids?.[i] ?? null, chosen: chosen!, alternates });
        } catch (err) {
          if (!isLostRace(err)) throw err;
          this.counters.lostClaims++;
          cache.cancel(tokens[i]!);
          this.deps.logger.info(
            { request_id: ctx.request_id, host: chosen!.host, node: chosen!.nodename, err: String(err) },
            "claim lost a race; refreshing the node and picking again",
          );
          await cache.refreshNode(chosen!.compute_node_uuid);
          return;
        }
      }
    } finally {
      // Whatever was not confirmed is given back to the local view.
      for (const t of tokens) cache.cancel(t);
    }
  }

  private picked(s: Selection): PickedHost {
    let zone = this.deps.config.scheduler.default_availability_zone;
    try {
      // As Nova's Selection.from_host_state: the host's aggregate zone, else the default zone.
      const zones = this.deps.cache.hosts.get(s.host, s.nodename).aggregateSet.metadata("availability_zone");
      const first = zones.get("availability_zone")?.values().next().value;
      if (first) zone = first;
    } catch {
      // The node left between the pick and now; the default zone will do.
    }
    return { ...s, availability_zone: zone };
  }

  private async giveBack(placed: readonly PlacedInstance[], resources: InstanceResources): Promise<void> {
    for (const p of placed) {
      try {
        const node = await this.deps.cellDb.computeNodes.release(p.chosen.compute_node_uuid, resources);
        this.deps.cache.released(node, p.instanceUuid);
        this.counters.releasedClaims++;
      } catch (err) {
        this.deps.logger.error(
          { host: p.chosen.host, node: p.chosen.nodename, err: String(err) },
          "could not give back a claim of a failed request",
        );
      }
    }
  }

  private fail(
    ctx: Pick<NovaContext, "request_id">,
    reason: string,
    err: NoValidHostError | null,
  ): NoValidHost {
    this.counters.noValidHost++;
    const detail = err ? explanationSummary(err.explanation) : "";
    const explanation = err?.explanation ?? null;
    // The warning carries the explanation with at most LOGGED_REJECTIONS rejected hosts (a big cloud rejects
    // thousands); the whole of it goes to debug.
    this.deps.logger.warn(
      {
        request_id: ctx.request_id,
        reason,
        explanation: explanation && {
          ...explanation,
          rejected: explanation.rejected.slice(0, LOGGED_REJECTIONS),
          rejected_total: explanation.rejected.length,
        },
      },
      "no valid host was found",
    );
    if (explanation && explanation.rejected.length > LOGGED_REJECTIONS) {
      this.deps.logger.debug({ request_id: ctx.request_id, explanation }, "no valid host: full explanation");
    }
    return new NoValidHost({ reason: detail ? `${reason} ${detail}` : reason });
  }

  private async selectDestinationsRpc(raw: RequestContext, args: Record<string, unknown>): Promise<unknown> {
    const ctx = fromWireContext(raw);
    if (args.spec_obj === undefined || args.spec_obj === null) {
      throw new InvalidSchedulingRequestError(
        "select_destinations needs spec_obj (scheduler RPC API 4.3 or newer)",
      );
    }
    let spec: Partial<NovaRequestSpec>;
    try {
      spec = RequestSpecCodec.fromPrimitive(args.spec_obj, "spec_obj");
    } catch (err) {
      throw new InvalidSchedulingRequestError(`spec_obj is not a RequestSpec: ${String(err)}`, err);
    }
    const uuids =
      args.instance_uuids === undefined || args.instance_uuids === null
        ? null
        : strings(args.instance_uuids, "instance_uuids");
    const returnObjects = args.return_objects === true;
    const placed = await this.selectDestinations(ctx, spec, uuids, {
      returnAlternates: returnObjects && args.return_alternates === true,
      requestId: ctx.request_id,
    });
    if (!returnObjects) return placed.map((p) => legacyHostDict(p.chosen));
    const resources = instanceResources(schedulerRequestFrom(spec, uuids));
    return placed.map((p) => [p.chosen, ...p.alternates].map((pick) => selectionPrimitive(pick, resources)));
  }
}

// The node filled up or changed under us: another scheduler (or a compute's report) won.
function isLostRace(err: unknown): boolean {
  return (
    hasErrorCode(err, "DB_CLAIM_REJECTED") ||
    hasErrorCode(err, "DB_GENERATION_CONFLICT") ||
    hasErrorCode(err, "DB_NOT_FOUND")
  );
}

function str(v: unknown, name: string): string {
  if (typeof v !== "string" || v === "") throw new InvalidSchedulingRequestError(`${name} must be a string`);
  return v;
}

function strings(v: unknown, name: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new InvalidSchedulingRequestError(`${name} must be a list of strings`);
  }
  return v as string[];
}

// update_instance_info carries an InstanceList (or a single Instance) primitive; only the uuids matter here.
function instanceUuidsOf(info: unknown): string[] {
  const p = info as { "nova_object.name"?: unknown; "nova_object.data"?: Record<string, unknown> } | null;
  const data = p?.["nova_object.data"];
  if (!data) throw new InvalidSchedulingRequestError("instance_info is not a Nova object");
  if (p["nova_object.name"] === "InstanceList") {
    const objects = Array.isArray(data.objects) ? data.objects : [];
    return objects.flatMap((o) => {
      const u = (o as { "nova_object.data"?: { uuid?: unknown } })["nova_object.data"]?.uuid;
      return typeof u === "string" ? [u] : [];
    });
  }
  return typeof data.uuid === "string" ? [data.uuid] : [];
}
