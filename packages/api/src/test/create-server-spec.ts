import type { CreateServerSpec } from "../compute-backend.js";
import type { RequestContext } from "../request-context.js";
import { FAKE_IMAGE_ID } from "./fake-compute-backend.js";

/** A boot of one server of flavor "1" from the fake image with Nova's defaults, overridden by `fields`. */
export function makeCreateServerSpec(fields: Partial<CreateServerSpec> = {}): CreateServerSpec {
  return {
    name: "web",
    description: null,
    imageRef: FAKE_IMAGE_ID,
    flavorId: "1",
    metadata: {},
    availabilityZone: null,
    hostname: null,
    forcedHost: null,
    forcedNode: null,
    requestedHost: null,
    requestedNode: null,
    keyName: null,
    userData: null,
    accessIPv4: null,
    accessIPv6: null,
    configDrive: false,
    autoDiskConfig: false,
    minCount: 1,
    maxCount: 1,
    securityGroups: [],
    tags: [],
    networks: null,
    schedulerHints: {},
    adminPass: null,
    ...fields,
  };
}

/** A non-admin caller's context (`alice` in project `p1` unless `fields` say otherwise). */
export function makeRequestContext(fields: Partial<RequestContext> = {}): RequestContext {
  return {
    userId: "alice",
    projectId: "p1",
    isAdmin: false,
    roles: ["member"],
    requestId: "req-1",
    remoteAddress: "127.0.0.1",
    ...fields,
  };
}
