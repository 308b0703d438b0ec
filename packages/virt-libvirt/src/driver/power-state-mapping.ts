import { PowerState } from "@nova/virt";
import { DomainState } from "../libvirt-constants.js";

/** VIR_DOMAIN_SHUTOFF_SAVED: shut off because its memory was saved (managed save). */
const SHUTOFF_SAVED = 5;

/**
 * libvirt's domain state to Nova's power state, as Nova's LIBVIRT_POWER_STATE table: BLOCKED counts as running,
 * SHUTDOWN (shutting down) and SHUTOFF as shutdown, PMSUSPENDED as suspended. One addition: a domain shut off
 * by a managed save (our suspend) is SUSPENDED, so the fake and libvirt drivers report suspend alike.
 */
export function powerStateOf(state: number, reason = 0): PowerState {
  switch (state) {
    case DomainState.RUNNING:
    case DomainState.BLOCKED:
      return PowerState.RUNNING;
    case DomainState.PAUSED:
      return PowerState.PAUSED;
    case DomainState.SHUTDOWN:
      return PowerState.SHUTDOWN;
    case DomainState.SHUTOFF:
      return reason === SHUTOFF_SAVED ? PowerState.SUSPENDED : PowerState.SHUTDOWN;
    case DomainState.CRASHED:
      return PowerState.CRASHED;
    case DomainState.PMSUSPENDED:
      return PowerState.SUSPENDED;
    default:
      return PowerState.NOSTATE;
  }
}
