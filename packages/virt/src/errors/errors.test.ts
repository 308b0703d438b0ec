import { hasErrorCode, NovaError } from "@nova/core";
import { describe, expect, it } from "vitest";
import { PowerState } from "../power-state.js";
import { HypervisorUnavailableError } from "./hypervisor-unavailable.js";
import { ImageUnacceptableError } from "./image-unacceptable.js";
import { InstanceInvalidStateError } from "./instance-invalid-state.js";
import { InstanceNotFoundError } from "./instance-not-found.js";
import { VirtError } from "./virt-error.js";

describe("VirtError", () => {
  it("carries a stable code, Nova's name, the instance, the cause and isRetryable", () => {
    const cause = new Error("libvirt: Domain not found");
    const error = new InstanceNotFoundError("u-1", { cause });
    expect(error).toBeInstanceOf(VirtError);
    expect(error).toBeInstanceOf(NovaError);
    expect(error).toMatchObject({
      code: "INSTANCE_NOT_FOUND",
      instanceUuid: "u-1",
      isRetryable: false,
      cause,
    });
    expect(error.name).toBe("InstanceNotFound");
    expect(error.message).toBe("Instance u-1 could not be found.");
    expect(new HypervisorUnavailableError().isRetryable).toBe(true);
    expect(new ImageUnacceptableError("img", "bad checksum").message).toBe(
      "Image img is unacceptable: bad checksum",
    );
  });

  it("recognises errors from another copy of the package by their mark, not their class", () => {
    const foreign = Object.assign(new Error("x"), {
      [Symbol.for("@nova/core.NovaError.kinds")]: ["InstanceNotFoundError", "VirtError", "NovaError"],
      code: "INSTANCE_NOT_FOUND",
    });
    expect(VirtError.isInstance(foreign)).toBe(true);
    expect(InstanceNotFoundError.isInstance(foreign)).toBe(true);
    expect(InstanceInvalidStateError.isInstance(foreign)).toBe(false);
    expect(VirtError.isInstance(new Error("plain"))).toBe(false);
    expect(hasErrorCode(foreign, "INSTANCE_NOT_FOUND")).toBe(true);
    expect(hasErrorCode(null, "INSTANCE_NOT_FOUND")).toBe(false);
  });

  it("lets callers switch exhaustively on the code", () => {
    const errors: VirtError[] = [
      new InstanceNotFoundError("a"),
      new InstanceInvalidStateError("a", PowerState.PAUSED, "pause"),
    ];
    const http = errors.map((e) => {
      switch (e.code) {
        case "INSTANCE_NOT_FOUND":
          return 404;
        case "INSTANCE_INVALID_STATE":
          return 409;
        default:
          return 500;
      }
    });
    expect(http).toEqual([404, 409]);
  });
});
