import { describe, expect, it } from "vitest";
import type { ImageRecord } from "../compute-backend.js";
import { imageDetailView } from "./image-view.js";
import { LinkBuilder } from "./links.js";

const links = new LinkBuilder("http://api/v2.1", "", undefined);
const image = (properties: Record<string, unknown>): ImageRecord => ({
  id: "img-1",
  name: "cirros",
  status: "active",
  minRam: 0,
  minDisk: 0,
  size: 1024,
  properties,
  createdAt: null,
  updatedAt: null,
});
const diskConfig = (value: unknown) =>
  imageDetailView(image({ auto_disk_config: value }), links, "http://glance")["OS-DCF:diskConfig"];

describe("imageDetailView OS-DCF:diskConfig", () => {
  it("reads auto_disk_config with oslo's bool_from_string, as Nova's image view does", () => {
    expect(diskConfig("True")).toBe("AUTO");
    expect(diskConfig(" yes ")).toBe("AUTO");
    expect(diskConfig("t")).toBe("AUTO");
    expect(diskConfig(true)).toBe("AUTO");
    expect(diskConfig("false")).toBe("MANUAL");
    // Not strict: an unknown word is MANUAL, not an error.
    expect(diskConfig("sometimes")).toBe("MANUAL");
  });

  it("leaves the field out when the image has no auto_disk_config", () => {
    expect(imageDetailView(image({}), links, "http://glance")).not.toHaveProperty("OS-DCF:diskConfig");
  });
});
