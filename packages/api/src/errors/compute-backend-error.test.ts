import { hasErrorCode, NovaError } from "@nova/core";
import { describe, expect, it } from "vitest";
import { BackendUnavailableError } from "./backend-unavailable.js";
import { ComputeBackendError } from "./compute-backend-error.js";
import { InstanceInvalidStateError } from "./instance-invalid-state.js";
import { InstanceNotFoundError } from "./instance-not-found.js";
import { MarkerNotFoundError } from "./marker-not-found.js";
import { QuotaExceededError } from "./quota-exceeded.js";

describe("ComputeBackendError", () => {
  it("is a NovaError with an UPPER_SNAKE_CASE code, told apart by class rather than by code", () => {
    const error = new InstanceNotFoundError("i-1");
    expect(NovaError.isInstance(error)).toBe(true);
    expect(ComputeBackendError.isInstance(error)).toBe(true);
    expect(InstanceNotFoundError.isInstance(error)).toBe(true);
    expect(MarkerNotFoundError.isInstance(error)).toBe(false);
    expect(error).toMatchObject({
      name: "InstanceNotFoundError",
      code: "INSTANCE_NOT_FOUND",
      httpStatus: 404,
      isRetryable: false,
      message: "Instance i-1 could not be found.",
    });
    expect(hasErrorCode(new QuotaExceededError("over"), "OVER_QUOTA")).toBe(true);
    expect(new InstanceInvalidStateError("i-1", "vm_state", null, "pause").code).toBe(
      "INSTANCE_INVALID_STATE",
    );
  });

  it("marks an unavailable control plane as retryable and keeps its cause", () => {
    const cause = new Error("connection reset");
    const error = new BackendUnavailableError(undefined, { cause });
    expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503, isRetryable: true });
    expect(error.cause).toBe(cause);
  });

  it("is recognised when thrown by another copy of the package (no shared prototype)", () => {
    // What a second copy's error looks like to this one: same class names and marker, other prototypes.
    const foreign = Object.setPrototypeOf(new InstanceNotFoundError("i-2"), Error.prototype) as unknown;
    expect(foreign instanceof InstanceNotFoundError).toBe(false);
    expect(InstanceNotFoundError.isInstance(foreign)).toBe(true);
    expect(ComputeBackendError.isInstance(foreign)).toBe(true);
  });
});
