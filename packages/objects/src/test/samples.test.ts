import { describe, expect, it } from "vitest";
import { ComputeNodeCodec, FlavorCodec, ServiceCodec } from "../index.js";
import { sampleComputeNode, sampleFlavor, sampleService } from "./index.js";

describe("@nova/objects/test samples", () => {
  it("are full objects that pass their schemas and survive the wire", () => {
    for (const [codec, value] of [
      [FlavorCodec, sampleFlavor({ vcpus: 4 })],
      [ServiceCodec, sampleService({ report_count: 3 })],
      [ComputeNodeCodec, sampleComputeNode({ vcpus_used: 2 })],
    ] as const) {
      expect(codec.schema.safeParse(value).success).toBe(true);
      expect(codec.fromPrimitive(codec.toPrimitive(value as never))).toEqual(value);
    }
  });
});
