import type { Clock } from "@nova/core";
import type { AggregateRecord } from "../aggregate-backend.js";
import type { AggregateStore } from "../aggregate-operations.js";
import {
  AggregateHostExistsError,
  AggregateHostNotFoundError,
  AggregateNameExistsError,
  AggregateNotFoundError,
} from "../errors/aggregate-errors.js";

/** The fake backend's aggregates, in memory; host checks and instance counts come from the fake's state. */
export class FakeAggregateStore implements AggregateStore {
  /** The aggregates by id; tests may read them. */
  readonly byId = new Map<number, AggregateRecord>();
  private nextId = 0;

  constructor(
    private readonly clock: Clock,
    private readonly computeHosts: () => readonly string[],
    private readonly instancesOn: (hosts: readonly string[]) => number,
  ) {}

  async list(): Promise<AggregateRecord[]> {
    return structuredClone([...this.byId.values()]);
  }

  async get(id: number): Promise<AggregateRecord> {
    return structuredClone(this.find(id));
  }

  async create(name: string, metadata: Record<string, string>): Promise<AggregateRecord> {
    this.checkName(name);
    const id = ++this.nextId;
    const record: AggregateRecord = {
      id,
      uuid: crypto.randomUUID(),
      name,
      hosts: [],
      metadata: { ...metadata },
      createdAt: new Date(this.clock.now()),
      updatedAt: null,
    };
    this.byId.set(id, record);
    return structuredClone(record);
  }

  async rename(id: number, name: string): Promise<AggregateRecord> {
    const a = this.find(id);
    if (a.name !== name) this.checkName(name);
    a.name = name;
    return this.touch(a);
  }

  async updateMetadata(id: number, changes: Record<string, string | null>): Promise<AggregateRecord> {
    const a = this.find(id);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete a.metadata[k];
      else a.metadata[k] = v;
    }
    return this.touch(a);
  }

  async addHost(id: number, host: string): Promise<AggregateRecord> {
    const a = this.find(id);
    if (a.hosts.includes(host)) throw new AggregateHostExistsError(id, host);
    a.hosts.push(host);
    return structuredClone(a);
  }

  async removeHost(id: number, host: string): Promise<AggregateRecord> {
    const a = this.find(id);
    if (!a.hosts.includes(host)) throw new AggregateHostNotFoundError(id, host);
    a.hosts = a.hosts.filter((h) => h !== host);
    return structuredClone(a);
  }

  async delete(id: number): Promise<void> {
    this.find(id);
    this.byId.delete(id);
  }

  async isComputeHost(host: string): Promise<boolean> {
    return this.computeHosts().includes(host);
  }

  async countInstancesOnHosts(hosts: readonly string[]): Promise<number> {
    return this.instancesOn(hosts);
  }

  private find(id: number): AggregateRecord {
    const a = this.byId.get(id);
    if (!a) throw new AggregateNotFoundError(id);
    return a;
  }

  private checkName(name: string): void {
    if ([...this.byId.values()].some((a) => a.name === name)) throw new AggregateNameExistsError(name);
  }

  private touch(a: AggregateRecord): AggregateRecord {
    a.updatedAt = new Date(this.clock.now());
    return structuredClone(a);
  }
}
