import { describe, expect, it } from "vitest";
import type { ImageRecord } from "../compute-backend.js";
import { glanceImageBase, imageDetailView } from "./image-view.js";
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

describe("glanceImageBase", () => {
  it("points at Glance only when one is configured", () => {
    expect(glanceImageBase({ glance_api_servers: [] })).toBeUndefined();
    expect(glanceImageBase({ glance_api_servers: ["glance.example:9292"] })).toBe(
      "http://glance.example:9292",
    );
    expect(glanceImageBase({ glance_api_servers: ["https://g1/", "https://g2"] })).toBe("https://g1");
    // glance_link_prefix replaces scheme and host, and goes before the server's path (Nova's link prefix).
    expect(
      glanceImageBase({
        glance_api_servers: ["http://10.0.0.5:9292/v"],
        glance_link_prefix: "https://img.example/p",
      }),
    ).toBe("https://img.example/p/v");
    expect(glanceImageBase({ glance_api_servers: [], glance_link_prefix: "https://img.example/" })).toBe(
      "https://img.example",
    );
  });
});
