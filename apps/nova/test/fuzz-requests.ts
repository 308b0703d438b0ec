// fast-check arbitraries for the Compute API fuzz test: whole HTTP requests (method, path, query, headers,
// body), each part drawn from hostile and near-valid values so the API's parsing, validation and handlers all
// see edge cases, not only its router's 404.
import fc from "fast-check";

/** One request the fuzz sends. */
export interface FuzzRequest {
  method: string;
  /** Path and query string, already encoded as sent on the wire. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Values the generators put into paths and bodies so some requests reach real resources. */
export interface FuzzTargets {
  serverId: string;
  imageId: string;
  keyName: string;
  hypervisorId: string;
  /** An aggregate (no hosts) and a server group the fuzz may change. */
  aggregateId: string;
  serverGroupId: string;
}

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
/** Printable ASCII: what an HTTP header value may carry. */
const headerText = (maxLength = 40) => fc.string({ unit: printable, maxLength });
const unicode = fc.string({ unit: "binary", maxLength: 30 });

const hugeNumbers = fc.constantFrom(
  "1e400",
  "-1e400",
  "123456789012345678901234567890",
  "9007199254740993",
  "-9223372036854775809",
  "1.7976931348623157e309",
  "0.0000000000000000000000001",
  "-0",
  "4294967296",
  "2147483648",
);

/** Strings chosen to break parsers and validators: empty, unicode, control characters, SQL/regex bait. */
const oddString = fc.oneof(
  unicode,
  headerText(),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "\uFFFF",
    "\uD800",
    "💥".repeat(100),
    "a".repeat(300),
    "' OR 1=1 --",
    "^(a+)+$",
    "(",
    "[",
    "\\",
    "%s%s%s",
    "$" + "{x}",
    "null",
    "true",
    "../../etc/passwd",
    "<script>",
  ),
);

/** Any JSON value, with odd strings and huge numbers mixed in. */
const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(2 ** 53 + 2, -(2 ** 63), 1e308, Number.MIN_VALUE),
    oddString,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(oddString, tie("v"), { maxKeys: 4 }),
  ),
})).v;

const SERVER_FIELDS = [
  "name",
  "flavorRef",
  "imageRef",
  "key_name",
  "metadata",
  "networks",
  "availability_zone",
  "user_data",
  "description",
  "hostname",
  "host",
  "hypervisor_hostname",
  "min_count",
  "max_count",
  "return_reservation_id",
  "security_groups",
  "block_device_mapping_v2",
  "config_drive",
  "tags",
  "accessIPv4",
  "trusted_image_certificates",
  "adminPass",
  "OS-DCF:diskConfig",
];

const ACTIONS = [
  "os-start",
  "os-stop",
  "reboot",
  "lock",
  "unlock",
  "pause",
  "unpause",
  "suspend",
  "resume",
  "os-resetState",
  "os-getConsoleOutput",
  "os-getVNCConsole",
  "createImage",
  "resize",
  "confirmResize",
  "rebuild",
  "changePassword",
  "forceDelete",
  "restore",
  "shelve",
  "addSecurityGroup",
  "migrate",
  "nonsense",
];

/** A server create body with some fields replaced, dropped or added: gets past the first checks. */
function nearServer(t: FuzzTargets): fc.Arbitrary<unknown> {
  const base: Record<string, unknown> = {
    name: "fuzz",
    flavorRef: "1",
    imageRef: t.imageId,
    networks: "none",
  };
  return fc
    .tuple(
      fc.dictionary(fc.constantFrom(...SERVER_FIELDS), anyJson, { maxKeys: 3 }),
      fc.subarray(Object.keys(base)),
      fc.constantFrom("server", "servers", "Server", "os:scheduler_hints"),
    )
    .map(([changes, dropped, wrapper]) => {
      const server: Record<string, unknown> = { ...base, ...changes };
      for (const k of dropped) delete server[k];
      return { [wrapper]: server };
    });
}

/** A key pair create body with odd values. */
const nearKeypair = fc
  .record(
    {
      name: fc.oneof(oddString, fc.constant("fuzz-key")),
      type: fc.oneof(fc.constantFrom("ssh", "x509"), anyJson),
      public_key: fc.oneof(anyJson, fc.constant("ssh-rsa AAAA fuzz")),
      user_id: anyJson,
    },
    { requiredKeys: [] },
  )
  .map((keypair) => ({ keypair }));

/** A server action body (`{"<action>": ...}`), sometimes with several actions. */
const actionBody = fc.oneof(
  fc.tuple(fc.constantFrom(...ACTIONS), anyJson).map(([a, v]) => ({ [a]: v })),
  fc.tuple(fc.constantFrom(...ACTIONS), fc.dictionary(oddString, anyJson, { maxKeys: 3 })).map(([a, v]) => ({
    [a]: v,
  })),
  fc.dictionary(fc.constantFrom(...ACTIONS), anyJson, { minKeys: 2, maxKeys: 3 }),
);

/** A services update body (PUT /os-services/{id}). */
const serviceBody = fc.record(
  {
    status: fc.oneof(fc.constantFrom("enabled", "disabled"), anyJson),
    disabled_reason: anyJson,
    forced_down: anyJson,
    host: anyJson,
    binary: anyJson,
  },
  { requiredKeys: [] },
);

/** A flavor create or update body (POST /flavors, PUT /flavors/{id}). */
const flavorBody = fc
  .record(
    {
      name: fc.oneof(oddString, fc.constant("fuzz-flavor")),
      id: fc.oneof(anyJson, fc.constantFrom("1", "fuzz-f", null)),
      ram: fc.oneof(anyJson, fc.constantFrom(64, 0, -1)),
      vcpus: fc.oneof(anyJson, fc.constantFrom(1, 0)),
      disk: fc.oneof(anyJson, fc.constantFrom(0, 1)),
      "OS-FLV-EXT-DATA:ephemeral": anyJson,
      swap: anyJson,
      rxtx_factor: anyJson,
      "os-flavor-access:is_public": anyJson,
      description: fc.oneof(oddString, anyJson),
    },
    { requiredKeys: [] },
  )
  .map((flavor) => ({ flavor }));

/** A flavor create that is valid but for at most one field (names differ so creates do not all conflict). */
const validFlavor = fc.tuple(fc.integer({ min: 0, max: 999 }), flavorBody).map(([n, odd]) => {
  const [k, v] = Object.entries(odd.flavor)[0] ?? [];
  return { flavor: { name: `fuzz-${n}`, ram: 64, vcpus: 1, disk: 0, ...(k ? { [k]: v } : {}) } };
});

/** Extra specs, metadata and tag bodies: maps and lists of odd keys and values. */
const mapBody = fc
  .tuple(
    fc.constantFrom("extra_specs", "metadata", "meta", "tags", "set_metadata"),
    fc.oneof(
      fc.dictionary(
        fc.oneof(oddString, fc.constantFrom("hw:cpu_policy", "hw:numa_nodes", "availability_zone", "k")),
        fc.oneof(anyJson, fc.constantFrom("dedicated", "2", "az-x", "v")),
        { maxKeys: 4 },
      ),
      fc.array(oddString, { maxLength: 4 }),
      anyJson,
    ),
  )
  .map(([k, v]) => (k === "set_metadata" ? { set_metadata: { metadata: v } } : { [k]: v }));

/** A well-formed `{key: {k: v}}` body (extra specs, metadata, set_metadata) with plain keys and values. */
const plainMap = (key: string) =>
  fc
    .dictionary(
      fc.constantFrom("k", "role", "hw:cpu_policy", "hw:numa_nodes", "availability_zone", "filter_tenant_id"),
      fc.constantFrom("v", "web", "dedicated", "shared", "2", "az-fuzz", null),
      { minKeys: 1, maxKeys: 3 },
    )
    .map((m) => (key === "set_metadata" ? { set_metadata: { metadata: m } } : { [key]: m }));

/** Aggregate create/update bodies and actions, flavor access actions. */
const aggregateBody = fc.oneof(
  fc
    .record({ name: fc.oneof(oddString, anyJson), availability_zone: anyJson }, { requiredKeys: [] })
    .map((aggregate) => ({ aggregate })),
  fc
    .tuple(
      fc.constantFrom("add_host", "remove_host", "addTenantAccess", "removeTenantAccess"),
      fc.record(
        {
          host: fc.oneof(fc.constantFrom("fake-1", "fake-2", "nowhere"), anyJson),
          tenant: fc.oneof(fc.constantFrom("c0ffee", "demo"), anyJson),
        },
        { requiredKeys: [] },
      ),
    )
    .map(([action, v]) => ({ [action]: v })),
);

/** Server group bodies: 2.1 `policies` and 2.64 `policy` + `rules`. */
const serverGroupBody = fc
  .record(
    {
      name: fc.oneof(oddString, fc.constant("fuzz-group")),
      policies: fc.oneof(fc.constant(["affinity"]), fc.constant(["anti-affinity", "affinity"]), anyJson),
      policy: fc.oneof(fc.constantFrom("affinity", "anti-affinity", "soft-affinity"), anyJson),
      rules: fc.oneof(fc.constant({ max_server_per_host: 2 }), anyJson),
    },
    { requiredKeys: [] },
  )
  .map((server_group) => ({ server_group }));

/** Quota set and quota class set updates. */
const quotaBody = fc
  .tuple(
    fc.constantFrom("quota_set", "quota_class_set"),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom("instances", "cores", "ram", "key_pairs", "metadata_items", "server_groups", "force"),
        oddString,
      ),
      fc.oneof(fc.constantFrom(-1, 0, 1, 1000, "5", true), anyJson),
      { maxKeys: 3 },
    ),
  )
  .map(([k, v]) => ({ [k]: v }));

/** JSON nested `depth` deep: arrays or objects. */
const deepNesting = fc
  .tuple(fc.constantFrom(10, 999, 1000, 1001, 5000, 50_000), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
  );

/** The body bytes: JSON of many shapes, broken JSON, and bytes that are not UTF-8. */
function bodyBytes(t: FuzzTargets): fc.Arbitrary<Buffer | undefined> {
  const json = fc.oneof(
    nearServer(t),
    nearKeypair,
    actionBody,
    serviceBody,
    flavorBody,
    mapBody,
    aggregateBody,
    serverGroupBody,
    quotaBody,
    anyJson,
  );
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    { arbitrary: json.map((v) => Buffer.from(JSON.stringify(v) ?? "null")), weight: 8 },
    {
      // Huge numbers spliced in as JSON literals JavaScript would round.
      arbitrary: fc
        .tuple(fc.constantFrom(...SERVER_FIELDS, "name", "limit"), hugeNumbers, fc.constant(t.imageId))
        .map(([k, n, image]) =>
          Buffer.from(`{"server": {"name": "big", "flavorRef": "1", "imageRef": "${image}", "${k}": ${n}}}`),
        ),
      weight: 2,
    },
    { arbitrary: deepNesting.map((s) => Buffer.from(s)), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), weight: 1 },
    {
      // Valid JSON around bytes that are not UTF-8 (a lone continuation byte, an overlong encoding).
      arbitrary: fc
        .constantFrom([0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe])
        .map((bad) =>
          Buffer.concat([Buffer.from('{"server": {"name": "'), Buffer.from(bad), Buffer.from('"}}')]),
        ),
      weight: 1,
    },
    { arbitrary: fc.json().map((s) => Buffer.from(s.slice(0, Math.max(0, s.length - 1)))), weight: 1 },
  );
}

/** Resource paths below `/v2.1`, with `{}` filled from real ids or hostile segments. */
const TEMPLATES = [
  "",
  "/",
  "/servers",
  "/servers/detail",
  "/servers/{}",
  "/servers/{}/action",
  "/servers/{}/metadata",
  "/servers/{}/os-instance-actions",
  "/servers/{}/os-instance-actions/{}",
  "/servers/{}/metadata/{}",
  "/servers/{}/tags",
  "/servers/{}/tags/{}",
  "/flavors",
  "/flavors/detail",
  "/flavors/{}",
  "/flavors/{}/os-extra_specs",
  "/flavors/{}/os-extra_specs/{}",
  "/flavors/{}/os-flavor-access",
  "/flavors/{}/action",
  "/os-services",
  "/os-services/{}",
  "/os-hypervisors",
  "/os-hypervisors/detail",
  "/os-hypervisors/statistics",
  "/os-hypervisors/{}",
  "/os-hypervisors/{}/search",
  "/os-hypervisors/{}/servers",
  "/images",
  "/images/detail",
  "/images/{}",
  "/os-keypairs",
  "/os-keypairs/{}",
  "/limits",
  "/os-quota-sets/{}",
  "/os-quota-sets/{}/defaults",
  "/os-quota-sets/{}/detail",
  "/os-quota-class-sets/{}",
  "/os-aggregates",
  "/os-aggregates/{}",
  "/os-aggregates/{}/action",
  "/os-server-groups",
  "/os-server-groups/{}",
  "/os-availability-zone",
  "/os-availability-zone/detail",
  "/os-simple-tenant-usage",
  "/os-simple-tenant-usage/{}",
];

/** A path segment as sent on the wire (ASCII only: node refuses to send anything else unescaped). */
function segment(t: FuzzTargets): fc.Arbitrary<string> {
  const rawChars = fc.string({
    unit: fc.constantFrom(..."abcXYZ019-_.~!$&'()*+,;=:@%".split("")),
    maxLength: 20,
  });
  return fc.oneof(
    fc.constantFrom(
      ...[t.serverId, t.imageId, t.keyName, t.hypervisorId, t.aggregateId, t.serverGroupId],
      ...["1", "0", "-1", "2", "1.5", "detail", "admin", "c0ffee", "default", "hw:cpu_policy"],
    ),
    fc.constantFrom("%00", "%2F", "%2e%2e", "%FF", "%C0%AF", "%zz", "%", "..", ".", "a%20b", "%E2%98%83"),
    unicode.map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, "x"))),
    rawChars,
    hugeNumbers,
  );
}

function path(t: FuzzTargets): fc.Arbitrary<string> {
  const prefix = fc.constantFrom(
    "/v2.1",
    "/v2.1",
    "/v2.1",
    "/v2.1/admin",
    "/v2.1/other",
    "/v2",
    "",
    "/v3",
    "/v2.1//",
  );
  const filled = fc
    .tuple(fc.constantFrom(...TEMPLATES), segment(t), segment(t))
    .map(([tpl, a, b]) => tpl.replace("{}", a).replace("{}", b));
  const random = fc.array(segment(t), { maxLength: 4 }).map((segs) => segs.map((s) => `/${s}`).join(""));
  return fc
    .tuple(prefix, fc.oneof({ arbitrary: filled, weight: 4 }, { arbitrary: random, weight: 1 }))
    .map(([p, rest]) => `${p}${rest}` || "/");
}

const QUERY_KEYS = [
  "limit",
  "marker",
  "name",
  "sort_key",
  "sort_dir",
  "changes-since",
  "changes-before",
  "all_tenants",
  "deleted",
  "status",
  "host",
  "flavor",
  "image",
  "ip",
  "tags",
  "user_id",
  "project_id",
  "tenant_id",
  "is_public",
  "minRam",
  "minDisk",
  "with_servers",
  "hypervisor_hostname_pattern",
  "binary",
  "type",
  "reservation_id",
  "locked",
  "start",
  "end",
  "detailed",
  "usage",
  "fuzz",
];

const queryValue = fc.oneof(
  fc.constantFrom(
    "",
    "1",
    "0",
    "-1",
    "2",
    "1000",
    "true",
    "False",
    "None",
    "asc",
    "desc",
    "created_at",
    "display_name",
    "uuid",
    "2026-01-01T00:00:00Z",
    "not-a-date",
    "^(a+)+$",
    "(",
    "*",
    "ACTIVE",
  ),
  hugeNumbers,
  segment({
    serverId: "x",
    imageId: "y",
    keyName: "k",
    hypervisorId: "1",
    aggregateId: "1",
    serverGroupId: "g",
  }),
);

/** `?k=v&k=v...` with repeated, unknown and odd keys and values ("" when none). */
const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(...QUERY_KEYS),
        segment({
          serverId: "",
          imageId: "",
          keyName: "",
          hypervisorId: "",
          aggregateId: "",
          serverGroupId: "",
        }),
      ),
      queryValue,
    ),
    {
      maxLength: 4,
    },
  )
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}` : ""));

const microversion = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map((m) => `2.${m}`),
  fc.constantFrom(
    "latest",
    "2.93",
    "2.1",
    "3.0",
    "1.1",
    "2.1000",
    "2.",
    "2",
    "",
    " ",
    "2.01",
    "02.1",
    "-2.1",
    "2.1.1",
  ),
  headerText(12),
);

/** Nova's routes take a project id prefix of hex digits and dashes only: `c0ffee` is one, `admin` is not. */
const token = fc.constantFrom(
  "admin:admin",
  "admin:c0ffee",
  "demo:c0ffee",
  "demo:demo",
  "demo:other",
  "admin",
  ":",
  "alice:",
);

/** Content-Type, Accept, auth and microversion headers in every combination. */
const headers = fc
  .record(
    {
      "Content-Type": fc.constantFrom(
        "application/json",
        "application/json; charset=UTF-8",
        "application/vnd.openstack.compute+json",
        "text/plain",
        "application/xml",
        "multipart/form-data; boundary=x",
        "",
        ";",
        "APPLICATION/JSON",
      ),
      Accept: fc.constantFrom("application/json", "application/xml", "*/*", "text/html", ""),
      "X-Auth-Token": token,
      "OpenStack-API-Version": fc.oneof(
        microversion.map((v) => `compute ${v}`),
        fc.constantFrom("volume 2.1", "compute", "COMPUTE 2.5", "compute 2.5, volume 3.0", "compute  2.5"),
        headerText(),
      ),
      "X-OpenStack-Nova-API-Version": microversion,
    },
    { requiredKeys: [] },
  )
  .map((h) => Object.fromEntries(Object.entries(h)) as Record<string, string>);

/** The routes served (and some being added), with their methods: most requests get past the router. */
const ROUTES: Array<[string, string]> = [
  ["GET", ""],
  ["GET", "/servers"],
  ["GET", "/servers/detail"],
  ["POST", "/servers"],
  ["GET", "/servers/{}"],
  ["PUT", "/servers/{}"],
  ["DELETE", "/servers/{}"],
  ["POST", "/servers/{}/action"],
  ["POST", "/servers/{}/action"],
  ["POST", "/servers/{}/action"],
  ["GET", "/flavors"],
  ["GET", "/flavors/detail"],
  ["GET", "/flavors/{}"],
  ["POST", "/flavors"],
  ["GET", "/os-services"],
  ["PUT", "/os-services/{}"],
  ["PUT", "/os-services/disable"],
  ["DELETE", "/os-services/{}"],
  ["GET", "/os-hypervisors"],
  ["GET", "/os-hypervisors/detail"],
  ["GET", "/os-hypervisors/statistics"],
  ["GET", "/os-hypervisors/{}"],
  ["GET", "/os-hypervisors/{}/search"],
  ["GET", "/os-hypervisors/{}/servers"],
  ["GET", "/images"],
  ["GET", "/images/detail"],
  ["GET", "/images/{}"],
  ["GET", "/os-keypairs"],
  ["POST", "/os-keypairs"],
  ["POST", "/os-keypairs"],
  ["GET", "/os-keypairs/{}"],
  ["DELETE", "/os-keypairs/{}"],
  ["GET", "/servers/{}/metadata"],
  ["POST", "/servers/{}/metadata"],
  ["PUT", "/servers/{}/metadata"],
  ["GET", "/servers/{}/metadata/{}"],
  ["PUT", "/servers/{}/metadata/{}"],
  ["DELETE", "/servers/{}/metadata/{}"],
  ["GET", "/servers/{}/tags"],
  ["PUT", "/servers/{}/tags"],
  ["DELETE", "/servers/{}/tags"],
  ["GET", "/servers/{}/tags/{}"],
  ["PUT", "/servers/{}/tags/{}"],
  ["DELETE", "/servers/{}/tags/{}"],
  ["GET", "/servers/{}/os-instance-actions"],
  ["GET", "/servers/{}/os-instance-actions/{}"],
  ["PUT", "/flavors/{}"],
  ["DELETE", "/flavors/{}"],
  ["POST", "/flavors/{}/action"],
  ["GET", "/flavors/{}/os-flavor-access"],
  ["GET", "/flavors/{}/os-extra_specs"],
  ["POST", "/flavors/{}/os-extra_specs"],
  ["GET", "/flavors/{}/os-extra_specs/{}"],
  ["PUT", "/flavors/{}/os-extra_specs/{}"],
  ["DELETE", "/flavors/{}/os-extra_specs/{}"],
  ["GET", "/os-hypervisors/{}/uptime"],
  ["GET", "/os-aggregates"],
  ["POST", "/os-aggregates"],
  ["GET", "/os-aggregates/{}"],
  ["PUT", "/os-aggregates/{}"],
  ["DELETE", "/os-aggregates/{}"],
  ["POST", "/os-aggregates/{}/action"],
  ["GET", "/os-availability-zone"],
  ["GET", "/os-availability-zone/detail"],
  ["GET", "/os-server-groups"],
  ["POST", "/os-server-groups"],
  ["GET", "/os-server-groups/{}"],
  ["DELETE", "/os-server-groups/{}"],
  ["GET", "/os-quota-sets/{}"],
  ["PUT", "/os-quota-sets/{}"],
  ["DELETE", "/os-quota-sets/{}"],
  ["GET", "/os-quota-sets/{}/defaults"],
  ["GET", "/os-quota-sets/{}/detail"],
  ["GET", "/os-quota-class-sets/{}"],
  ["PUT", "/os-quota-class-sets/{}"],
  ["GET", "/limits"],
  ["GET", "/os-simple-tenant-usage"],
  ["GET", "/os-simple-tenant-usage/{}"],
];

/** A request to a served route with its own method, the usual prefix and a token. */
function routed(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      route: fc.constantFrom(...ROUTES),
      a: fc.oneof({ arbitrary: fc.constant(t.serverId), weight: 2 }, segment(t)),
      b: segment(t),
      prefix: fc.constantFrom("/v2.1", "/v2.1", "/v2.1/c0ffee", "/v2.1/admin", "/v2.1/0-0"),
      query,
      headers,
      token,
      body: bodyBytes(t),
    })
    .map(({ route: [method, tpl], a, b, prefix, query: q, headers: h, token: tk, body }) => ({
      method,
      path: `${prefix}${tpl.replace("{}", a).replace("{}", b)}${q}`,
      headers: { ...h, "X-Auth-Token": tk },
      ...(body !== undefined && method !== "GET" && method !== "DELETE" ? { body } : {}),
    }));
}

/** Any method, path, query, headers and body: the router's and the parsers' edges. */
function anyRequest(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.constantFrom("GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
      path: path(t),
      query,
      headers,
      body: bodyBytes(t),
    })
    .map(({ method, path: p, query: q, headers: h, body }) => ({
      method,
      path: `${p}${q}`,
      headers: h,
      ...(body !== undefined ? { body } : {}),
    }));
}

/**
 * A server create that is valid but for one or two choices, at a microversion that takes `networks: none`:
 * these get deep into the create path (quota, key pair and zone lookups, multi-create, scheduling failures),
 * where a refusal must not leave half a server behind.
 */
function nearValidCreate(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const choices: Array<[string, unknown]> = [
    ["min_count", 2],
    ["max_count", 3],
    ["min_count", 30],
    ["max_count", 0],
    ["availability_zone", "nova"],
    ["availability_zone", "nowhere"],
    ["availability_zone", "nova:fake-1"],
    ["availability_zone", "nova:no-such-host"],
    ["availability_zone", ":fake-2"],
    ["key_name", t.keyName],
    ["key_name", "no-such-key"],
    ["metadata", { role: "web" }],
    ["metadata", Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, "v"]))],
    ["metadata", { "": "x" }],
    ["metadata", { k: "x".repeat(256) }],
    ["user_data", "aGVsbG8="],
    ["user_data", "not base64!"],
    ["flavorRef", "4"],
    ["flavorRef", "no-such-flavor"],
    ["imageRef", "00000000-0000-0000-0000-000000000000"],
    ["description", "fuzzed"],
    ["hostname", "fuzz-host"],
    ["host", "fake-1"],
    ["hypervisor_hostname", "fake-2"],
    ["tags", ["a", "b"]],
    ["return_reservation_id", true],
    ["networks", "auto"],
    ["networks", []],
    ["block_device_mapping_v2", [{ boot_index: 0, uuid: t.imageId, source_type: "image" }]],
    ["name", "x".repeat(256)],
    ["name", " leading"],
  ];
  return fc
    .record({
      changes: fc.subarray(choices, { minLength: 1, maxLength: 2 }),
      version: fc.constantFrom("2.37", "2.52", "2.57", "2.74", "2.90", "2.93", "latest"),
      token: fc.constantFrom("admin:admin", "demo:demo", "demo:c0ffee"),
    })
    .map(({ changes, version, token: tk }) => ({
      method: "POST",
      path: "/v2.1/servers",
      headers: {
        "Content-Type": "application/json",
        "OpenStack-API-Version": `compute ${version}`,
        "X-Auth-Token": tk,
      },
      body: Buffer.from(
        JSON.stringify({
          server: {
            name: "near",
            flavorRef: "1",
            imageRef: t.imageId,
            networks: "none",
            ...Object.fromEntries(changes),
          },
        }),
      ),
    }));
}

/**
 * A request to one of the newer resources with clean headers and the body its route takes (some values odd):
 * past content negotiation and into the handlers, their validation, policy and backend.
 */
function nearValidResource(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const routes: Array<[string, string, fc.Arbitrary<unknown> | undefined]> = [
    ["POST", "/flavors", fc.oneof(flavorBody, validFlavor)],
    ["PUT", "/flavors/{}", flavorBody],
    ["POST", "/flavors/{}/os-extra_specs", fc.oneof(mapBody, plainMap("extra_specs"))],
    ["PUT", "/flavors/{}/os-extra_specs/hw:cpu_policy", mapBody],
    ["POST", "/flavors/{}/action", aggregateBody],
    ["POST", "/os-aggregates", aggregateBody],
    ["PUT", `/os-aggregates/${t.aggregateId}`, aggregateBody],
    ["POST", `/os-aggregates/${t.aggregateId}/action`, fc.oneof(aggregateBody, plainMap("set_metadata"))],
    ["POST", "/os-server-groups", serverGroupBody],
    ["DELETE", `/os-server-groups/${t.serverGroupId}`, undefined],
    ["PUT", "/os-quota-sets/c0ffee", quotaBody],
    ["PUT", "/os-quota-class-sets/default", quotaBody],
    ["PUT", `/servers/${t.serverId}`, nearServer(t)],
    ["POST", `/servers/${t.serverId}/metadata`, fc.oneof(mapBody, plainMap("metadata"))],
    ["PUT", `/servers/${t.serverId}/metadata/k`, fc.oneof(mapBody, fc.constant({ meta: { k: "v" } }))],
    ["PUT", `/servers/${t.serverId}/tags`, fc.oneof(mapBody, fc.constant({ tags: ["a", "b"] }))],
    ["POST", `/servers/${t.serverId}/action`, actionBody],
    ["GET", "/os-simple-tenant-usage", undefined],
    ["GET", "/os-availability-zone/detail", undefined],
    ["GET", "/limits", undefined],
  ];
  return fc.constantFrom(...routes).chain(([method, tpl, body]) =>
    fc
      .record({
        flavor: fc.constantFrom("1", "4", "fuzz-f", "no-such"),
        version: fc.constantFrom("2.1", "2.19", "2.26", "2.40", "2.55", "2.64", "2.73", "2.86", "2.93"),
        token: fc.constantFrom("admin:admin", "demo:c0ffee"),
        query,
        body: body ?? fc.constant(undefined),
      })
      .map(({ flavor, version, token: tk, query: q, body: b }) => ({
        method,
        path: `/v2.1${tpl.replace("{}", flavor)}${method === "GET" ? q : ""}`,
        headers: {
          "Content-Type": "application/json",
          "OpenStack-API-Version": `compute ${version}`,
          "X-Auth-Token": tk,
        },
        ...(b !== undefined ? { body: Buffer.from(JSON.stringify(b) ?? "null") } : {}),
      })),
  );
}

/** Whole requests over every route the API serves and many it does not. */
export function fuzzRequest(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    { arbitrary: routed(t), weight: 6 },
    { arbitrary: nearValidCreate(t), weight: 1 },
    { arbitrary: nearValidResource(t), weight: 2 },
    { arbitrary: anyRequest(t), weight: 2 },
  );
}
