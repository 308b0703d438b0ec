import { NovaError } from "@nova/core";
import { describe, expect, it } from "vitest";
import { ConnectionLost } from "./connection-lost.js";
import { MessagingError } from "./messaging-error.js";
import { MessagingTimeout, MessagingTimeout as RealTimeout } from "./messaging-timeout.js";

describe("MessagingError.isInstance", () => {
  it("narrows to the class it is called on", () => {
    const timeout = new MessagingTimeout("abc", 1000);
    expect(MessagingError.isInstance(timeout)).toBe(true);
    expect(MessagingTimeout.isInstance(timeout)).toBe(true);
    expect(NovaError.isInstance(timeout)).toBe(true);
    expect(ConnectionLost.isInstance(timeout)).toBe(false);
    expect(MessagingError.isInstance(new Error("plain"))).toBe(false);
    expect(timeout).toMatchObject({ code: "MESSAGING_TIMEOUT", isRetryable: true, name: "MessagingTimeout" });
  });

  it("recognises errors from a second copy of the package by core's marker and class name", () => {
    // What a MessagingTimeout thrown by another copy of @nova/messaging (and of @nova/core) looks like.
    class MessagingTimeout extends Error {
      readonly code = "MESSAGING_TIMEOUT";
      constructor(message: string) {
        super(message);
        const kinds = ["MessagingTimeout", "MessagingError", "NovaError"];
        Object.assign(this, { [Symbol.for("@nova/core.NovaError.kinds")]: kinds });
      }
    }
    const foreign = new MessagingTimeout("from another copy");
    expect(foreign instanceof MessagingError).toBe(false);
    expect(MessagingError.isInstance(foreign)).toBe(true);
    expect(RealTimeout.isInstance(foreign)).toBe(true);
    expect(ConnectionLost.isInstance(foreign)).toBe(false);
  });
});
