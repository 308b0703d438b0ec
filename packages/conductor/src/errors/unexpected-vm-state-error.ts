import { NovaException } from "@nova/rpcapi";

/** Nova's UnexpectedVMStateError: a save with expected_vm_state found the instance in another vm_state. */
export class UnexpectedVMStateError extends NovaException {
  /** Nova's message format. */
  static override readonly msgFmt: string =
    "Unexpected VM state: expecting %(expected)s but the VM state is actually %(actual)s";
}
