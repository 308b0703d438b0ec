import { MessagingError } from "../errors/messaging-error.js";
import type { RpcEndpoint } from "../rpc/rpc-endpoint.js";

/** Raised by the test endpoint's `fail`; Python peers rebuild it as a real ValueError. */
export class TestEndpointError extends MessagingError {
  /** The Python class peers rebuild. */
  override name = "ValueError";
  /** The Python module peers rebuild it from. */
  readonly module = "builtins";

  /** An error whose message Python peers see as the ValueError's. */
  constructor(message: string) {
    super("MESSAGING_TEST_ENDPOINT_ERROR", message);
  }
}

/**
 * The endpoint `nova-rpc serve` runs (version 1.5): `echo(value)`, `add(a, b)`, `fail(message)`,
 * `sleep(seconds)`. Handy in tests of anything that talks RPC.
 */
export function createTestEndpoint(): RpcEndpoint {
  return {
    version: "1.5",
    methods: {
      echo: (_ctx, { value }: { value?: unknown }) => value ?? null,
      add: (_ctx, { a, b }: { a: unknown; b: unknown }) => {
        if (typeof a === "number" && typeof b === "number") return a + b;
        if (typeof a === "string" && typeof b === "string") return a + b;
        if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
        throw new TestEndpointError(`unsupported operand types for +: ${typeof a} and ${typeof b}`);
      },
      fail: (_ctx, { message }: { message?: unknown }) => {
        throw new TestEndpointError(String(message ?? ""));
      },
      sleep: async (_ctx, { seconds }: { seconds: unknown }) => {
        const s = Number(seconds);
        if (!Number.isFinite(s) || s < 0) throw new TestEndpointError(`bad seconds: ${String(seconds)}`);
        await new Promise((resolve) => setTimeout(resolve, s * 1000));
        return seconds;
      },
    },
  };
}
