import { ConfigError, loadNovaConfig } from "@nova/config";
import { describe, expect, it } from "vitest";
import { keystoneAuthtokenOptions } from "./keystone-authtoken.js";

const KEYSTONE_CONF =
  "[api]\nauth_strategy = keystone\n[keystone_authtoken]\nauth_url = http://keystone:5000/v3\n" +
  "username = nova\npassword = secret\nproject_name = service\n";

describe("[keystone_authtoken] for nova-api", () => {
  it("is not read with noauth2, the default", () => {
    expect(keystoneAuthtokenOptions(loadNovaConfig())).toBeUndefined();
  });

  it("takes nova.conf's options with keystonemiddleware's defaults, and OS_KEYSTONE_AUTHTOKEN__* over them", () => {
    const options = keystoneAuthtokenOptions(
      loadNovaConfig({
        texts: [KEYSTONE_CONF],
        env: {
          OS_KEYSTONE_AUTHTOKEN__WWW_AUTHENTICATE_URI: "https://keystone.example",
          OS_KEYSTONE_AUTHTOKEN__TOKEN_CACHE_TIME: "-1",
          OS_KEYSTONE_AUTHTOKEN__SERVICE_TOKEN_ROLES: "service, nova-service",
        },
      }),
    );
    expect(options).toEqual({
      auth_url: "http://keystone:5000/v3",
      auth_type: "password",
      username: "nova",
      password: "secret",
      project_name: "service",
      user_domain_name: "Default",
      project_domain_name: "Default",
      www_authenticate_uri: "https://keystone.example",
      service_token_roles: ["service", "nova-service"],
      service_token_roles_required: false,
      token_cache_time: -1,
      token_cache_size: 10000,
      http_connect_timeout: 10,
      http_request_max_retries: 3,
    });
  });

  it("stops nova-api at start naming an option the service cannot log in without", () => {
    const config = loadNovaConfig({ texts: [KEYSTONE_CONF.replace("password = secret\n", "")] });
    let caught: unknown;
    try {
      keystoneAuthtokenOptions(config);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).option).toBe("password");
    expect((caught as ConfigError).group).toBe("keystone_authtoken");
  });
});
