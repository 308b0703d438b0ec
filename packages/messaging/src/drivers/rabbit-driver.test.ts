import { describe, expect, it } from "vitest";
import { Transport } from "../transport.js";

describe("RabbitDriver", () => {
  it("leaves the parsed transport URL as it was (no localhost appended to the failover hosts)", async () => {
    const transport = new Transport("rabbit://guest:guest@rabbit-1:5672,guest:guest@rabbit-2:5672/nova");
    expect(transport.url.hosts.map((h) => h.hostname)).toEqual(["rabbit-1", "rabbit-2"]);
    const none = new Transport("rabbit:///");
    expect(none.url.hosts).toEqual([]);
    await transport.close();
    await none.close();
  });
});
