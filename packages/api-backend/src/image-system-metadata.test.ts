import { describe, expect, it } from "vitest";
import { inheritedImageProperties, systemMetadataFromImage } from "./image-system-metadata.js";

describe("image system metadata", () => {
  it("records the image's properties under image_ at boot, truncated as Nova's column is", () => {
    const meta = systemMetadataFromImage({
      minRam: 64,
      minDisk: 1,
      properties: { kernel_id: "k-1", os_command_line: "x".repeat(300), mappings: "[]", hw_rng: null },
    });
    expect(meta).toEqual({
      image_kernel_id: "k-1",
      image_os_command_line: "x".repeat(255),
      image_min_ram: "64",
      image_min_disk: "1",
    });
  });

  it("gives a snapshot the properties it inherits, without the non-inheritable ones", () => {
    expect(
      inheritedImageProperties({
        image_kernel_id: "k-1",
        image_ramdisk_id: "r-1",
        image_cache_in_nova: "True",
        image_img_signature: "sig",
        image_min_ram: "64",
        image_base_image_ref: "base",
        clean_attempts: "1",
      }),
    ).toEqual({ kernel_id: "k-1", ramdisk_id: "r-1" });
  });
});
