import { describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

describe("image proxy alternate links", () => {
  it("an API with [glance] api_servers links every image to it", async () => {
    const env = await startApi({ config: { glance_api_servers: ["https://glance.example:9292"] } });
    try {
      const client = env.client();
      const { images } = await client.listImagesDetail();
      const image = images[0]!;
      expect(image.links.find((l) => l.rel === "alternate")).toEqual({
        rel: "alternate",
        type: "application/vnd.openstack.image",
        href: `https://glance.example:9292/images/${image.id}`,
      });
      const listed = await client.listImages();
      expect(listed.images[0]?.links.map((l) => l.rel)).toEqual(["self", "bookmark", "alternate"]);
    } finally {
      await env.close();
    }
  });
});
