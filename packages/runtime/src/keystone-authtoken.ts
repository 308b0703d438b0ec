import type { KeystoneAuthtokenInput } from "@nova/api";
import { ConfigError, type NovaConfig } from "@nova/config";

const REQUIRED = ["auth_url", "username", "password", "project_name"] as const;

/**
 * `[keystone_authtoken]` for nova-api when `[api] auth_strategy = keystone` (undefined otherwise); an option the
 * service cannot log in without stops nova-api at start with a ConfigError naming it.
 */
export function keystoneAuthtokenOptions(config: NovaConfig): KeystoneAuthtokenInput | undefined {
  if (config.api.auth_strategy !== "keystone") return undefined;
  const k = config.keystone_authtoken;
  for (const option of REQUIRED) {
    if (k[option] === undefined) {
      throw new ConfigError(
        "CONFIG_INVALID",
        `Option ${option} in group [keystone_authtoken] is required with [api] auth_strategy = keystone`,
        { group: "keystone_authtoken", option },
      );
    }
  }
  return {
    auth_url: k.auth_url!,
    auth_type: k.auth_type,
    username: k.username!,
    password: k.password!,
    project_name: k.project_name!,
    user_domain_name: k.user_domain_name,
    project_domain_name: k.project_domain_name,
    ...(k.www_authenticate_uri !== undefined ? { www_authenticate_uri: k.www_authenticate_uri } : {}),
    service_token_roles: k.service_token_roles,
    service_token_roles_required: k.service_token_roles_required,
    token_cache_time: k.token_cache_time,
    token_cache_size: k.token_cache_size,
    http_connect_timeout: k.http_connect_timeout,
    http_request_max_retries: k.http_request_max_retries,
  };
}
