import type { CellDatabase } from "@nova/db";
import type { CellTarget } from "./cell-targets.js";

/**
 * One move manager per cell, made on first use from the cell's target (its database and its broker's clients):
 * what lets moves run in the instance's cell under a super conductor. A cell whose connections were reopened
 * (SIGHUP) gets a new manager over the new ones; drain() still waits for the old one's moves.
 */
export class PerCellManagers<M extends { drain(): Promise<void> }> {
  private readonly byCell = new Map<string, { db: CellDatabase; manager: M }>();
  private readonly made = new Set<M>();

  /** Managers made by `make` for each cell asked for. */
  constructor(private readonly make: (target: CellTarget) => M) {}

  /** The manager of the target's cell. */
  of(target: CellTarget): M {
    const have = this.byCell.get(target.cellUuid);
    if (have && have.db === target.db) return have.manager;
    const manager = this.make(target);
    this.byCell.set(target.cellUuid, { db: target.db, manager });
    this.made.add(manager);
    return manager;
  }

  /** Resolves once every move started so far, in every cell, has been handed over (or failed). */
  async drain(): Promise<void> {
    await Promise.all([...this.made].map((m) => m.drain()));
  }
}
