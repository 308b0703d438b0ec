import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CloudConfigError } from "../errors/cloud-config-error.js";
import { cloudsYamlSearchPath, fromEnvironment } from "./cloud-config.js";

const CLOUDS = `
clouds:
  lab:
    auth:
      auth_url: http://keystone:5000/v3
      username: alice
      password: "s3cr#t"
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionTwo
    interface: internal
    compute_api_version: "2.79"
    api_timeout: 30
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: http://keystone:5000
      application_credential_id: ac1
      application_credential_secret: shh
  aio:
    auth_type: none
    auth:
      endpoint: http://127.0.0.1:8774/v2.1
      token: "admin:admin"
`;

function cloudsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "clouds-"));
  const file = join(dir, "clouds.yaml");
  writeFileSync(file, CLOUDS);
  return file;
}

describe("fromEnvironment", () => {
  it("reads a cloud of clouds.yaml, named by OS_CLOUD, from the first file found", () => {
    const file = cloudsFile();
    const connection = fromEnvironment({
      env: { OS_CLOUD: "lab" },
      files: ["/nonexistent/clouds.yaml", file],
      secureFiles: [],
    });
    expect(connection).toEqual({
      microversion: "2.79",
      timeoutMs: 30_000,
      endpoint: undefined,
      keystone: {
        authUrl: "http://keystone:5000/v3",
        auth: {
          type: "password",
          username: "alice",
          userId: undefined,
          password: "s3cr#t",
          userDomainName: "Default",
          userDomainId: undefined,
        },
        projectName: "demo",
        projectId: undefined,
        projectDomainName: "Default",
        projectDomainId: undefined,
        domainName: undefined,
        domainId: undefined,
        systemScope: undefined,
        regionName: "RegionTwo",
        interface: "internal",
      },
    });
    const appcred = fromEnvironment({ cloud: "appcred", env: {}, files: [file], secureFiles: [] });
    expect(appcred.keystone?.auth).toMatchObject({ type: "applicationCredential", id: "ac1", secret: "shh" });
    expect(fromEnvironment({ cloud: "aio", env: {}, files: [file], secureFiles: [] })).toMatchObject({
      endpoint: "http://127.0.0.1:8774/v2.1",
      token: "admin:admin",
    });
  });

  it("merges the cloud's secure.yaml entry (its secrets) over clouds.yaml's", () => {
    const file = cloudsFile();
    const secure = join(mkdtempSync(join(tmpdir(), "secure-")), "secure.yaml");
    writeFileSync(
      secure,
      "clouds:\n  lab:\n    auth:\n      password: from-secure\n    region_name: RegionThree\n",
    );
    const connection = fromEnvironment({ cloud: "lab", env: {}, files: [file], secureFiles: [secure] });
    expect(connection.keystone?.auth).toMatchObject({ username: "alice", password: "from-secure" });
    expect(connection.keystone?.regionName).toBe("RegionThree");
    expect(cloudsYamlSearchPath({ OS_CLIENT_SECURE_FILE: "/s.yaml", HOME: "/h" }, "secure.yaml")).toEqual([
      "/s.yaml",
      join(process.cwd(), "secure.yaml"),
      "/h/.config/openstack/secure.yaml",
      "/etc/openstack/secure.yaml",
    ]);
  });

  it("reads the OS_* variables when no cloud is named", () => {
    const connection = fromEnvironment({
      env: {
        OS_AUTH_URL: "http://k/v3",
        OS_USERNAME: "bob",
        OS_PASSWORD: "pw",
        OS_PROJECT_NAME: "p",
        OS_USER_DOMAIN_NAME: "Default",
        OS_PROJECT_DOMAIN_ID: "default",
        OS_REGION_NAME: "R1",
        OS_INTERFACE: "public",
        OS_COMPUTE_API_VERSION: "2.60",
        PATH: "/bin",
      },
    });
    expect(connection.microversion).toBe("2.60");
    expect(connection.keystone).toMatchObject({
      authUrl: "http://k/v3",
      auth: { type: "password", username: "bob", password: "pw", userDomainName: "Default" },
      projectName: "p",
      projectDomainId: "default",
      regionName: "R1",
      interface: "public",
    });
    expect(fromEnvironment({ env: { OS_AUTH_URL: "http://k/v3", OS_TOKEN: "t" } }).keystone?.auth).toEqual({
      type: "token",
      token: "t",
    });
    expect(fromEnvironment({ env: { OS_ENDPOINT: "http://n/v2.1", OS_TOKEN: "admin:admin" } })).toMatchObject(
      {
        endpoint: "http://n/v2.1",
        token: "admin:admin",
      },
    );
  });

  it("says what is missing with a CloudConfigError", () => {
    const file = cloudsFile();
    const cases: [() => unknown, RegExp][] = [
      [() => fromEnvironment({ env: {} }), /no auth_url/],
      [
        () => fromEnvironment({ env: { OS_AUTH_URL: "http://k", OS_USERNAME: "u" } }),
        /auth_type \(none\) is not supported/,
      ],
      [
        () => fromEnvironment({ cloud: "nope", env: {}, files: [file], secureFiles: [] }),
        /has no cloud named nope/,
      ],
      [
        () => fromEnvironment({ cloud: "lab", env: {}, files: ["/nonexistent/a.yaml"], secureFiles: [] }),
        /no clouds.yaml found/,
      ],
    ];
    for (const [run, message] of cases) {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(CloudConfigError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("searches OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack and /etc/openstack, in that order", () => {
    const path = cloudsYamlSearchPath({ OS_CLIENT_CONFIG_FILE: "/x/my.yaml", HOME: "/home/u" });
    expect(path).toEqual([
      "/x/my.yaml",
      join(process.cwd(), "clouds.yaml"),
      "/home/u/.config/openstack/clouds.yaml",
      "/etc/openstack/clouds.yaml",
    ]);
  });
});
