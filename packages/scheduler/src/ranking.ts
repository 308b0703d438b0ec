import type { WeighedHostReport } from "./explanation.js";
import type { HostColumns } from "./host-columns.js";
import type { HostState } from "./host-state.js";
import type { ActiveWeigher } from "./weighing.js";

interface RoundInfo {
  lo: Float64Array;
  hi: Float64Array;
  /** Weighers that add anything this round (lo != hi, or a non-finite multiplier somewhere). */
  active: Int32Array;
  aliveCount: number;
  /** The host moved to the front of this round's list (Nova's random pick of the best subset). */
  pick: number;
  /** shuffle_best_same_weighed_hosts: the order given to the best-weighed hosts of this round. */
  shuffled: Map<number, number> | null;
}

// Generous bound on the rounding of a total (K products and sums of values bounded by the multipliers).
const SLACK = 1e-12;

/**
 * The weighed, ordered hosts of one request across its instances, kept incrementally and to the bit.
 *
 * Nova re-filters and re-weighs every surviving host for each instance and stable-sorts the previous
 * instance's list. Here, after a pick, only the picked host's values change; the normalisation of a weigher
 * changes only when its min or max does. The order of round r is "total of round r, descending, then the
 * order of round r-1" (with round r-1's pick first): every total and every tie-break is computed exactly as
 * Nova does, but only for the hosts that can still reach the top. A host's total can only have moved from
 * its total at the last full evaluation ("base") by the change of each weigher's normalisation times its
 * largest multiplier, so walking the hosts by base total stops early.
 */
export class WeighedPool {
  readonly m: number;
  private readonly K: number;
  private readonly raw: Float64Array[];
  private readonly mult: Float64Array[];
  private readonly clampMin: Array<number | null>;
  private readonly clampMax: Array<number | null>;
  readonly alive: Uint8Array;
  aliveCount: number;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly cntLo: Int32Array;
  private readonly cntHi: Int32Array;
  private readonly rounds: RoundInfo[] = [];
  // Per weigher: some host's multiplier is infinite or NaN (then even an all-equal weigher adds m * 0).
  private readonly nonFinite: boolean[] = [];
  private readonly history = new Map<number, Array<{ round: number; raws: Float64Array }>>();
  private baseTotals: Float64Array;
  private baseLo: Float64Array;
  private baseHi: Float64Array;
  private baseAlive = 0;
  private maxMult: Float64Array;
  private readonly dirty = new Set<number>();
  private heap: Int32Array = new Int32Array(0);
  private heapLen = 0;
  private prefix: Int32Array = new Int32Array(0);
  private prefixLen = 0;
  private rebaseWanted = true;

  constructor(
    readonly hosts: readonly HostState[],
    private readonly weighers: readonly ActiveWeigher[],
    /** The hosts' positions in the host manager and its columns, when known (the fast path). */
    source?: { positions: Int32Array; columns: HostColumns },
  ) {
    const m = hosts.length;
    const K = weighers.length;
    this.m = m;
    this.K = K;
    this.raw = [];
    this.mult = [];
    this.clampMin = weighers.map((w) => w.weigher.minval ?? null);
    this.clampMax = weighers.map((w) => w.weigher.maxval ?? null);
    // Hosts in the same aggregates share multipliers: look each host's set up once, not once per weigher.
    const setIndex: Array<number | undefined> = [];
    const setOf = new Int32Array(m);
    const sample: HostState[] = [];
    const setIds = source?.columns.aggregateSetId;
    for (let i = 0; i < m; i++) {
      const id = setIds ? setIds[source!.positions[i]!]! : hosts[i]!.aggregateSet.id;
      let j = setIndex[id];
      if (j === undefined) {
        j = sample.length;
        setIndex[id] = j;
        sample.push(hosts[i]!);
      }
      setOf[i] = j;
    }
    for (let k = 0; k < K; k++) {
      const { prepared } = weighers[k]!;
      const r = new Float64Array(m);
      const mu = new Float64Array(m);
      const cmin = this.clampMin[k]!;
      const cmax = this.clampMax[k]!;
      const col = prepared.column && source ? source.columns.cols[prepared.column] : null;
      if (col) {
        const pos = source!.positions;
        for (let i = 0; i < m; i++) r[i] = col[pos[i]!]!;
      } else if (prepared.values) prepared.values(hosts, r);
      else for (let i = 0; i < m; i++) r[i] = prepared.value(hosts[i]!);
      if (cmin !== null || cmax !== null) {
        for (let i = 0; i < m; i++) {
          let v = r[i]!;
          if (cmin !== null && v < cmin) v = cmin;
          if (cmax !== null && v > cmax) v = cmax;
          r[i] = v;
        }
      }
      const perSet = sample.map((h) => prepared.multiplier(h));
      for (let i = 0; i < m; i++) mu[i] = perSet[setOf[i]!]!;
      this.raw.push(r);
      this.mult.push(mu);
      this.nonFinite.push(perSet.some((x) => !Number.isFinite(x)));
    }
    this.alive = new Uint8Array(m).fill(1);
    this.curTotal = new Float64Array(m);
    this.curStamp = new Int32Array(m);
    this.aliveCount = m;
    this.lo = new Float64Array(K);
    this.hi = new Float64Array(K);
    this.cntLo = new Int32Array(K);
    this.cntHi = new Int32Array(K);
    for (let k = 0; k < K; k++) this.rescan(k);
    this.baseTotals = new Float64Array(m);
    this.baseLo = new Float64Array(K);
    this.baseHi = new Float64Array(K);
    this.maxMult = new Float64Array(K);
  }

  /** Starts the next round (instance): freezes the normalisation this round uses. */
  beginRound(): void {
    this.stamp++;
    const active: number[] = [];
    for (let k = 0; k < this.K; k++) if (this.lo[k] !== this.hi[k] || this.nonFinite[k]) active.push(k);
    this.rounds.push({
      lo: this.lo.slice(),
      hi: this.hi.slice(),
      active: Int32Array.from(active),
      aliveCount: this.aliveCount,
      pick: -1,
      shuffled: null,
    });
    if (this.rebaseWanted) this.rebase();
  }

  /** Records the host put at the front of this round's list. */
  setPick(li: number): void {
    this.rounds[this.rounds.length - 1]!.pick = li;
  }

  /** Records the random order given to this round's best-weighed hosts (all of equal weight). */
  setShuffled(order: readonly number[]): void {
    this.rounds[this.rounds.length - 1]!.shuffled = new Map(order.map((li, i) => [li, i]));
  }

  /** The current round's total of a host. */
  total(li: number): number {
    return this.current(li);
  }

  /**
   * Before a later round: weighers that do not promise `valueStableWithinRequest` are asked again for every
   * alive host (their values may depend on more than the host itself); hosts whose value moved are updated.
   */
  refreshUnstable(): void {
    const unstable = this.weighers.filter((w) => !w.weigher.valueStableWithinRequest);
    if (unstable.length === 0) return;
    for (let li = 0; li < this.m; li++) {
      if (!this.alive[li]) continue;
      const h = this.hosts[li]!;
      for (const w of unstable) {
        const k = this.weighers.indexOf(w);
        if (!Object.is(this.clamp(k, w.prepared.value(h)), this.raw[k]![li])) {
          this.update(li);
          break;
        }
      }
    }
  }

  private clamp(k: number, value: number): number {
    let v = value;
    const cmin = this.clampMin[k]!;
    const cmax = this.clampMax[k]!;
    if (cmin !== null && v < cmin) v = cmin;
    if (cmax !== null && v > cmax) v = cmax;
    return v;
  }

  /** The picked host's state changed (a claim): re-read its values. */
  update(li: number): void {
    const r = this.rounds.length;
    let h = this.history.get(li);
    if (!h) {
      h = [{ round: 0, raws: this.rawsAt(li, 0) }];
      this.history.set(li, h);
    }
    const raws = new Float64Array(this.K);
    for (let k = 0; k < this.K; k++) {
      let v = this.weighers[k]!.prepared.value(this.hosts[li]!);
      const cmin = this.clampMin[k]!;
      const cmax = this.clampMax[k]!;
      if (cmin !== null && v < cmin) v = cmin;
      if (cmax !== null && v > cmax) v = cmax;
      raws[k] = v;
      const old = this.raw[k]![li]!;
      if (!Object.is(old, v)) {
        this.raw[k]![li] = v;
        // A rescan sees the new value already; otherwise count it in.
        if (this.alive[li] && !this.leave(k, old)) this.enter(k, v);
      }
    }
    // Round r (the next one) onwards sees the new values; earlier rounds the ones before.
    h.push({ round: r, raws });
    this.dirty.add(li);
  }

  /** A host no longer passes the filters. */
  remove(li: number): void {
    if (!this.alive[li]) return;
    this.alive[li] = 0;
    this.aliveCount--;
    for (let k = 0; k < this.K; k++) this.leave(k, this.raw[k]![li]!);
  }

  /** The first `k` alive hosts of the current round by its order (before the pick moves to the front). */
  sortedPrefix(k: number): number[] {
    const want = Math.min(k, this.aliveCount);
    if (want === 0) return [];
    if (want * 4 >= this.aliveCount) return this.fullOrder().slice(0, want);
    const D = this.drift();
    if (!Number.isFinite(D)) return this.fullOrder().slice(0, want);
    const buf: number[] = [];
    for (const li of this.dirty) if (this.alive[li]) this.offer(buf, want, li);
    const slack = SLACK * (1 + this.multSum());
    let examined = 0;
    for (let p = 0; ; p++) {
      if (p >= this.prefixLen && !this.popBase()) break;
      const li = this.prefix[p]!;
      if (!this.alive[li] || this.dirty.has(li)) continue;
      if (buf.length === want && this.baseTotals[li]! + D + slack < this.curTotal[buf[want - 1]!]!) break;
      this.offer(buf, want, li);
      examined++;
    }
    if (examined > Math.max(64, this.m >> 4)) this.rebaseWanted = true;
    return buf;
  }

  // Current-round totals, computed at most once per host per round (a round's totals never change).
  private curTotal = new Float64Array(0);
  private curStamp = new Int32Array(0);
  private stamp = 0;

  private current(li: number): number {
    if (this.curStamp[li] !== this.stamp) {
      this.curTotal[li] = this.totalAt(li, this.rounds.length - 1);
      this.curStamp[li] = this.stamp;
    }
    return this.curTotal[li]!;
  }

  // Keeps `buf` the best `want` hosts seen, in order.
  private offer(buf: number[], want: number, li: number): void {
    const r = this.rounds.length - 1;
    this.current(li);
    if (buf.length === want && this.compareAt(r, li, buf[want - 1]!) > 0) return;
    let i = buf.length;
    while (i > 0 && this.compareAt(r, li, buf[i - 1]!) < 0) i--;
    buf.splice(i, 0, li);
    if (buf.length > want) buf.pop();
  }

  /** Every alive host in the current round's order (a full, exact sort). */
  fullOrder(): number[] {
    const r = this.rounds.length - 1;
    const out: number[] = [];
    for (let i = 0; i < this.m; i++) {
      if (!this.alive[i]) continue;
      out.push(i);
      this.current(i);
    }
    return out.sort((a, b) => this.compareAt(r, a, b));
  }

  /** The per-weigher breakdown of hosts in the given order, for the current round. */
  report(order: readonly number[]): WeighedHostReport[] {
    const r = this.rounds.length - 1;
    const info = this.rounds[r]!;
    const weighing = info.aliveCount > 1;
    return order.map((li) => {
      const scores: WeighedHostReport["weighers"] = {};
      const raws = this.rawsAt(li, r);
      this.weighers.forEach((w, k) => {
        const lo = info.lo[k]!;
        const hi = info.hi[k]!;
        const x = raws[k]!;
        scores[w.weigher.name] = {
          raw: x,
          normalized: !weighing || lo === hi ? 0 : (x - lo) / (hi - lo),
          multiplier: this.mult[k]![li]!,
        };
      });
      const h = this.hosts[li]!;
      return {
        host: h.host,
        nodename: h.nodename,
        weight: this.totalAt(li, r),
        weighers: weighing ? scores : {},
      };
    });
  }

  /** Nova's total for a host in round j: 0.0 plus, weigher after weigher, multiplier x normalised value. */
  totalAt(li: number, j: number): number {
    const info = this.rounds[j]!;
    if (info.aliveCount <= 1) return 0.0;
    const raws = this.history.has(li) ? this.rawsAt(li, j) : null;
    let t = 0.0;
    const active = info.active;
    for (let a = 0; a < active.length; a++) {
      const k = active[a]!;
      const lo = info.lo[k]!;
      const hi = info.hi[k]!;
      const m = this.mult[k]![li]!;
      if (lo === hi) {
        if (!Number.isFinite(m)) t += m * 0;
        continue;
      }
      const x = raws ? raws[k]! : this.raw[k]![li]!;
      t += m * ((x - lo) / (hi - lo));
    }
    return t;
  }

  private rawsAt(li: number, j: number): Float64Array {
    const h = this.history.get(li);
    if (!h) {
      const out = new Float64Array(this.K);
      for (let k = 0; k < this.K; k++) out[k] = this.raw[k]![li]!;
      return out;
    }
    // The values in force at round j: the latest change made before round j (the first entry is round 0's).
    let chosen = h[0]!.raws;
    for (const e of h) if (e.round <= j) chosen = e.raws;
    return chosen;
  }

  // Round j's order: total descending, then round j-1's list order (its pick first), down to input order.
  private compareAt(j: number, a: number, b: number): number {
    if (a === b) return 0;
    const last = this.rounds.length - 1;
    // Hosts that never changed and have the same values and multipliers tie in every round: skip the totals.
    let same = false;
    for (let r = j; r >= 0; r--) {
      if (!same) {
        const ta = r === last ? this.current(a) : this.totalAt(a, r);
        const tb = r === last ? this.current(b) : this.totalAt(b, r);
        if (ta > tb) return -1;
        if (ta < tb) return 1;
        same = this.identicalClean(a, b);
      }
      const sh = this.rounds[r]!.shuffled;
      if (sh?.has(a) && sh.has(b)) return sh.get(a)! - sh.get(b)!;
      if (r > 0) {
        const pick = this.rounds[r - 1]!.pick;
        if (pick === a) return -1;
        if (pick === b) return 1;
      }
    }
    return a - b;
  }

  private identicalClean(a: number, b: number): boolean {
    if (this.history.has(a) || this.history.has(b)) return false;
    for (let k = 0; k < this.K; k++) {
      if (!Object.is(this.raw[k]![a], this.raw[k]![b]) || !Object.is(this.mult[k]![a], this.mult[k]![b]))
        return false;
    }
    return true;
  }

  // Largest possible magnitude of a total (weighers that contribute now or at the base).
  private multSum(): number {
    const info = this.rounds[this.rounds.length - 1]!;
    let s = 0;
    for (let k = 0; k < this.K; k++) {
      if (info.lo[k] === info.hi[k] && this.baseLo[k] === this.baseHi[k]) continue;
      s += this.maxMult[k]!;
    }
    return s;
  }

  // How far any clean host's total can have moved since the base evaluation.
  private drift(): number {
    const r = this.rounds.length - 1;
    const info = this.rounds[r]!;
    if (this.baseAlive <= 1 || info.aliveCount <= 1) return Number.POSITIVE_INFINITY;
    let D = 0;
    for (let k = 0; k < this.K; k++) {
      const bl = this.baseLo[k]!;
      const bh = this.baseHi[k]!;
      const rl = info.lo[k]!;
      const rh = info.hi[k]!;
      if (bl === rl && bh === rh) continue;
      // Both normalisations are affine in the value, so they differ most at the ends of the base range.
      const nbLo = 0;
      const nbHi = bl === bh ? 0 : 1;
      const nrLo = rl === rh ? 0 : (bl - rl) / (rh - rl);
      const nrHi = rl === rh ? 0 : (bh - rl) / (rh - rl);
      const d = Math.max(Math.abs(nrLo - nbLo), Math.abs(nrHi - nbHi));
      D += this.maxMult[k]! * d;
    }
    return D;
  }

  private rebase(): void {
    this.rebaseWanted = false;
    const r = this.rounds.length - 1;
    const info = this.rounds[r]!;
    this.baseLo = info.lo.slice();
    this.baseHi = info.hi.slice();
    this.baseAlive = info.aliveCount;
    this.dirty.clear();
    for (let k = 0; k < this.K; k++) {
      let mx = 0;
      const mu = this.mult[k]!;
      for (let i = 0; i < this.m; i++) {
        const a = Math.abs(mu[i]!);
        if (a > mx || Number.isNaN(a)) mx = a;
      }
      this.maxMult[k] = mx;
    }
    const totals = this.baseTotals;
    const heap = new Int32Array(this.aliveCount);
    let n = 0;
    for (let i = 0; i < this.m; i++) if (this.alive[i]) heap[n++] = i;
    if (info.aliveCount <= 1) {
      for (let j = 0; j < n; j++) totals[heap[j]!] = 0.0;
    } else {
      // Weigher after weigher over all hosts: the same additions, in the same order, as totalAt.
      totals.fill(0.0);
      for (let k = 0; k < this.K; k++) {
        const lo = info.lo[k]!;
        const hi = info.hi[k]!;
        const mu = this.mult[k]!;
        const raw = this.raw[k]!;
        if (lo === hi) {
          for (let j = 0; j < n; j++) {
            const i = heap[j]!;
            if (!Number.isFinite(mu[i]!)) totals[i] = totals[i]! + mu[i]! * 0;
          }
          continue;
        }
        const range = hi - lo;
        for (let j = 0; j < n; j++) {
          const i = heap[j]!;
          totals[i] = totals[i]! + mu[i]! * ((raw[i]! - lo) / range);
        }
      }
      // Hosts changed earlier in the request read their values at this round from their history.
      for (const li of this.history.keys()) if (this.alive[li]) totals[li] = this.totalAt(li, r);
    }
    this.heap = heap;
    this.heapLen = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i);
    this.prefix = new Int32Array(n);
    this.prefixLen = 0;
  }

  private popBase(): boolean {
    if (this.heapLen === 0) return false;
    const top = this.heap[0]!;
    this.heapLen--;
    if (this.heapLen > 0) {
      this.heap[0] = this.heap[this.heapLen]!;
      this.siftDown(0);
    }
    this.prefix[this.prefixLen++] = top;
    return true;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const t = this.baseTotals;
    const n = this.heapLen;
    const x = heap[i]!;
    const tx = t[x]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && t[heap[c + 1]!]! > t[heap[c]!]!) c++;
      if (!(t[heap[c]!]! > tx)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = x;
  }

  private rescan(k: number): void {
    const r = this.raw[k]!;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let cl = 0;
    let ch = 0;
    for (let i = 0; i < this.m; i++) {
      if (!this.alive[i]) continue;
      const v = r[i]!;
      if (v < lo) {
        lo = v;
        cl = 1;
      } else if (v === lo) cl++;
      if (v > hi) {
        hi = v;
        ch = 1;
      } else if (v === hi) ch++;
    }
    const cmin = this.clampMin[k]!;
    const cmax = this.clampMax[k]!;
    // Nova normalises between minval/maxval when the weigher sets them, else the list's own extremes.
    this.lo[k] = cmin ?? lo;
    this.hi[k] = cmax ?? hi;
    this.cntLo[k] = cmin === null ? cl : -1;
    this.cntHi[k] = cmax === null ? ch : -1;
  }

  // A value leaves the alive set; returns whether the extremes had to be rescanned.
  private leave(k: number, v: number): boolean {
    let again = Number.isNaN(v);
    if (this.cntLo[k]! >= 0 && v === this.lo[k] && --this.cntLo[k]! === 0) again = true;
    if (this.cntHi[k]! >= 0 && v === this.hi[k] && --this.cntHi[k]! === 0) again = true;
    if (again) this.rescan(k);
    return again;
  }

  private enter(k: number, v: number): void {
    if (Number.isNaN(v)) {
      this.rescan(k);
      return;
    }
    if (this.cntLo[k]! >= 0) {
      if (v < this.lo[k]!) {
        this.lo[k] = v;
        this.cntLo[k] = 1;
      } else if (v === this.lo[k]) this.cntLo[k]!++;
    }
    if (this.cntHi[k]! >= 0) {
      if (v > this.hi[k]!) {
        this.hi[k] = v;
        this.cntHi[k] = 1;
      } else if (v === this.hi[k]) this.cntHi[k]!++;
    }
  }
}
