import { describe, expect, it } from "vitest";
import { tempestAvailable, validateWithTempest } from "./tempest-schemas.js";

describe.runIf(tempestAvailable() || Boolean(process.env.NOVA_TEST_REQUIRE_SERVICES))(
  "validateWithTempest",
  () => {
    it("passes a body that matches the microversion's schema and explains one that does not", () => {
      const service = {
        id: 1,
        binary: "nova-compute",
        host: "cpu-1",
        zone: "nova",
        status: "enabled",
        state: "up",
        updated_at: null,
        disabled_reason: null,
      };
      const [ok, missingForcedDown] = validateWithTempest([
        {
          client: "services_client.ServicesClient",
          schema: "list_services",
          version: "2.1",
          status: 200,
          body: { services: [service] },
        },
        // From 2.11 tempest requires forced_down.
        {
          client: "services_client.ServicesClient",
          schema: "list_services",
          version: "2.11",
          status: 200,
          body: { services: [service] },
        },
      ]);
      expect(ok).toBeNull();
      expect(missingForcedDown).toContain("'forced_down' is a required property");
    });
  },
);
