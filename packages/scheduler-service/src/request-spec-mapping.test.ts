import { readFileSync } from "node:fs";
import { type RequestSpec, RequestSpecCodec } from "@nova/objects";
import { describe, expect, it } from "vitest";
import { instanceResources, schedulerRequestFrom } from "./request-spec-mapping.js";
import { InvalidSchedulingRequestError } from "./scheduler-service-error.js";

const captured = JSON.parse(
  readFileSync(
    new URL("../test/fixtures/nova-rpc/002_call_scheduler_select_destinations.json", import.meta.url),
    "utf8",
  ),
).oslo_message.args;
const spec = () => RequestSpecCodec.fromPrimitive(captured.spec_obj) as Partial<RequestSpec>;

describe("RequestSpec to @nova/scheduler input", () => {
  it("maps the conductor's captured RequestSpec", () => {
    const r = schedulerRequestFrom(spec(), captured.instance_uuids);
    expect(r).toMatchObject({
      instance_uuid: "b8677b88-dfba-4423-a84a-b94d534f1cbb",
      instance_uuids: ["b8677b88-dfba-4423-a84a-b94d534f1cbb"],
      num_instances: 1,
      project_id: "admin",
      user_id: "admin",
      availability_zone: null,
      flavor: {
        name: "peer.tiny",
        flavorid: "1",
        vcpus: 1,
        memory_mb: 64,
        root_gb: 1,
        ephemeral_gb: 0,
        swap: 0,
      },
      image: { id: "155d900f-4e14-4e4c-a73d-069cbf4541e6", properties: {} },
      scheduler_hints: {},
      instance_group: null,
      requested_destination: null,
    });
    expect(instanceResources(r)).toEqual({ vcpus: 1, memory_mb: 64, local_gb: 1 });
  });

  it("maps image properties, zone, hints, forcing, destination and server group", () => {
    const s = spec();
    const image = s.image!;
    const props = image["nova_object.data"].properties as { "nova_object.data": Record<string, unknown> };
    props["nova_object.data"] = {
      hw_architecture: "x86_64",
      img_hv_type: "kvm",
      hw_numa_nodes: 2,
      traits_required: ["X"],
    };
    const r = schedulerRequestFrom(
      {
        ...s,
        availability_zone: "az1",
        scheduler_hints: { group: ["g"], same_host: ["a", "b"] },
        ignore_hosts: ["bad"],
        force_hosts: ["good"],
        force_nodes: ["good-node"],
        requested_destination: {
          "nova_object.name": "Destination",
          "nova_object.namespace": "nova",
          "nova_object.version": "1.4",
          "nova_object.data": {
            host: "h9",
            node: null,
            allow_cross_cell_move: false,
            cell: {
              "nova_object.name": "CellMapping",
              "nova_object.namespace": "nova",
              "nova_object.version": "1.1",
              "nova_object.data": { uuid: "cell-9" },
            },
          },
        },
        instance_group: {
          uuid: "group-1",
          policy: null,
          policies: ["anti-affinity"],
          _rules: { max_server_per_host: "2" },
          members: ["m1"],
          hosts: ["h1"],
        },
        flavor: { ...s.flavor!, swap: 1500, extra_specs: { "hw:cpu_policy": "shared" } },
        is_bfv: true,
      },
      null,
    );
    expect(r.image?.properties).toEqual({ hw_architecture: "x86_64", img_hv_type: "kvm", hw_numa_nodes: 2 });
    expect(r).toMatchObject({
      instance_uuids: null,
      availability_zone: "az1",
      scheduler_hints: { group: ["g"], same_host: ["a", "b"] },
      ignore_hosts: ["bad"],
      force_hosts: ["good"],
      force_nodes: ["good-node"],
      requested_destination: { host: "h9", node: null, cell_uuid: "cell-9", allow_cross_cell_move: false },
      instance_group: {
        uuid: "group-1",
        policy: "anti-affinity",
        rules: { max_server_per_host: "2" },
        members: ["m1"],
        hosts: ["h1"],
      },
    });
    // Boot from volume: the root disk is not the host's; swap rounds up to a whole GB.
    expect(r.flavor.root_gb).toBe(0);
    expect(r.flavor.extra_specs).toEqual({ "hw:cpu_policy": "shared" });
    expect(instanceResources(r)).toEqual({ vcpus: 1, memory_mb: 64, local_gb: 2 });
  });

  it("refuses a spec without a flavor", () => {
    const { flavor: _f, ...rest } = spec();
    expect(() => schedulerRequestFrom(rest, null)).toThrow(InvalidSchedulingRequestError);
  });
});
