import type {
  MessagingObserver,
  RpcDispatchEvent,
  RpcDispatchScope,
  RpcSendEvent,
  RpcSendScope,
} from "./messaging-observer.js";

/**
 * One observer that forwards every hook to each of `observers` in order (telemetry and a live console on one
 * transport). A hook none of them has stays absent, so a transport still skips it at no cost.
 */
export function combineObservers(...observers: Array<MessagingObserver | undefined>): MessagingObserver {
  const all = observers.filter((o): o is MessagingObserver => o !== undefined);
  if (all.length === 1) return all[0]!;
  const combined: MessagingObserver = {};
  const senders = all.filter((o) => o.rpcSend);
  if (senders.length > 0) {
    combined.rpcSend = (e: RpcSendEvent): RpcSendScope => {
      const scopes = senders.map((o) => o.rpcSend!(e));
      let headers: Record<string, string> | undefined;
      for (const s of scopes) if (s.headers) headers = { ...headers, ...s.headers };
      return {
        ...(headers ? { headers } : {}),
        end(error?: unknown) {
          for (const s of scopes) s.end(error);
        },
      };
    };
  }
  const dispatchers = all.filter((o) => o.rpcDispatch);
  if (dispatchers.length > 0) {
    combined.rpcDispatch = (e: RpcDispatchEvent): RpcDispatchScope => {
      const scopes = dispatchers.map((o) => o.rpcDispatch!(e));
      return {
        // The first observer's context is outermost, so each later one runs inside the ones before it.
        run<T>(fn: () => T): T {
          return scopes.reduceRight<() => T>((inner, s) => () => s.run(inner), fn)();
        },
        end(error?: unknown) {
          for (const s of scopes) s.end(error);
        },
      };
    };
  }
  const dropped = all.filter((o) => o.messageDropped);
  if (dropped.length > 0)
    combined.messageDropped = (r) => {
      for (const o of dropped) o.messageDropped!(r);
    };
  const states = all.filter((o) => o.connectionState);
  if (states.length > 0)
    combined.connectionState = (s) => {
      for (const o of states) o.connectionState!(s);
    };
  const buffered = all.filter((o) => o.bufferedMessages);
  if (buffered.length > 0)
    combined.bufferedMessages = (n) => {
      for (const o of buffered) o.bufferedMessages!(n);
    };
  return combined;
}
