import { describe, expect, it } from "vitest";
import { hasErrorCode, NovaError } from "./nova-error.js";

class InstanceNotFound extends NovaError {
  constructor(readonly instanceUuid: string) {
    super("INSTANCE_NOT_FOUND", `Instance ${instanceUuid} could not be found.`);
  }
}
class LostConnection extends NovaError {
  constructor(cause: unknown) {
    super("CONNECTION_LOST", "lost", { cause, isRetryable: true });
  }
}

describe("NovaError", () => {
  it("carries a stable code, the class name, the cause and isRetryable", () => {
    const cause = new Error("socket");
    const err = new LostConnection(cause);
    expect(err).toMatchObject({ code: "CONNECTION_LOST", name: "LostConnection", isRetryable: true, cause });
    expect(new InstanceNotFound("u").isRetryable).toBe(false);
  });

  it("isInstance is polymorphic and false for other errors", () => {
    const err = new InstanceNotFound("u");
    expect(NovaError.isInstance(err)).toBe(true);
    expect(InstanceNotFound.isInstance(err)).toBe(true);
    expect(LostConnection.isInstance(err)).toBe(false);
    expect(NovaError.isInstance(new Error("x"))).toBe(false);
    expect(NovaError.isInstance(null)).toBe(false);
    expect(hasErrorCode(err, "INSTANCE_NOT_FOUND")).toBe(true);
    expect(hasErrorCode(err, "OTHER")).toBe(false);
  });

  it("recognises an error from another copy of the package (instanceof fails there)", () => {
    // A second copy: a distinct NovaError class (same module evaluated twice), with its own subclass.
    const Copy = new Function("base", "return class InstanceNotFound extends base {}")(
      class NovaError extends Error {
        constructor(code: string, message: string) {
          super(message);
          const kinds = ["InstanceNotFound", "NovaError"];
          Object.assign(this, { code, [Symbol.for("@nova/core.NovaError.kinds")]: kinds });
        }
      },
    ) as new (
      code: string,
      message: string,
    ) => Error;
    const foreign = new Copy("INSTANCE_NOT_FOUND", "gone");
    expect(foreign instanceof InstanceNotFound).toBe(false);
    expect(InstanceNotFound.isInstance(foreign)).toBe(true);
    expect(NovaError.isInstance(foreign)).toBe(true);
    expect(LostConnection.isInstance(foreign)).toBe(false);
  });
});
