import type { HostWeigher } from "./host-weigher.js";
import { multiplierFor } from "./host-weigher.js";

/** CrossCellWeigher: for a cross-cell move, +1 in the requested (source) cell and -1 elsewhere. */
export const crossCellWeigher: HostWeigher = {
  name: "CrossCellWeigher",
  valueStableWithinRequest: true,
  prepare: ({ spec, config }) => {
    const dest = spec.requested_destination;
    const cell = dest?.cell_uuid && dest.allow_cross_cell_move ? dest.cell_uuid : null;
    return {
      value: cell === null ? () => 0 : (h) => (h.cell_uuid === cell ? 1 : -1),
      multiplier: multiplierFor(
        "cross_cell_move_weight_multiplier",
        config.cross_cell_move_weight_multiplier,
      ),
    };
  },
};
