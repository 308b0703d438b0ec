/**
 * Resolves on the next turn of the event loop: an RPC answer whose result is ready now is published by then
 * (its reply goes out within the current turn's promise jobs), so work started after this is sent after it.
 */
export function afterPendingReplies(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
