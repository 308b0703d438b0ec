import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { KeystoneAuthOptions } from "../auth/keystone-auth-options.js";
import { CloudConfigError } from "../errors/cloud-config-error.js";
import { parseYamlSubset, type YamlValue } from "./yaml-subset.js";

/** Where and as whom to connect, as `createComputeClient` takes it (from `fromEnvironment` or by hand). */
export interface CloudConnection {
  /** The compute endpoint, when not taken from the Keystone catalog (noauth2, or an override). */
  endpoint?: string | undefined;
  /** A static token (with `endpoint`, no Keystone). */
  token?: string | undefined;
  /** Keystone v3 authentication, and which catalog endpoint to use. */
  keystone?: KeystoneAuthOptions | undefined;
  /** The microversion asked (`OS_COMPUTE_API_VERSION`, `compute_api_version`). */
  microversion?: string | undefined;
  /** The per-request timeout in milliseconds (`api_timeout`, in seconds in clouds.yaml). */
  timeoutMs?: number | undefined;
}

/** Options of {@link fromEnvironment}. */
export interface FromEnvironmentOptions {
  /** The environment (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** A cloud of clouds.yaml to use (default `OS_CLOUD`; none: the `OS_*` variables). */
  cloud?: string | undefined;
  /** The clouds.yaml files to try, in order (default openstacksdk's search path). */
  files?: readonly string[];
  /** The secure.yaml files to try, whose cloud entries (passwords, secrets) are merged over clouds.yaml's. */
  secureFiles?: readonly string[];
}

/**
 * openstacksdk's clouds.yaml search path: `OS_CLIENT_CONFIG_FILE`, then `./clouds.yaml`,
 * `~/.config/openstack/clouds.yaml` and `/etc/openstack/clouds.yaml`; the first file that exists is read.
 */
export function cloudsYamlSearchPath(
  env: Record<string, string | undefined>,
  name: "clouds.yaml" | "secure.yaml" = "clouds.yaml",
): string[] {
  const files: string[] = [];
  const override = name === "clouds.yaml" ? env.OS_CLIENT_CONFIG_FILE : env.OS_CLIENT_SECURE_FILE;
  if (override) files.push(override);
  files.push(join(process.cwd(), name));
  files.push(join(env.HOME ?? homedir(), ".config", "openstack", name));
  files.push(join("/etc/openstack", name));
  return files;
}

/**
 * How to connect as an OpenStack user's shell says: the cloud named by `options.cloud` or `OS_CLOUD` in the
 * first clouds.yaml found, else the `OS_*` variables (`OS_AUTH_URL`, `OS_USERNAME`, `OS_PASSWORD`,
 * `OS_PROJECT_NAME`, `OS_*_DOMAIN_NAME`, `OS_REGION_NAME`, `OS_INTERFACE`, `OS_TOKEN`, `OS_ENDPOINT`, ...).
 * Throws a `CloudConfigError` when neither says enough. (The SDK's edge: the one place it reads the process.)
 */
export function fromEnvironment(options: FromEnvironmentOptions = {}): CloudConnection {
  const env = options.env ?? process.env;
  const cloudName = options.cloud ?? env.OS_CLOUD;
  if (cloudName) {
    const cloud = findCloud(cloudName, options.files ?? cloudsYamlSearchPath(env), true) ?? {};
    const secure = findCloud(
      cloudName,
      options.secureFiles ?? cloudsYamlSearchPath(env, "secure.yaml"),
      false,
    );
    return connectionOf(secure ? merge(cloud, secure) : cloud, cloudName);
  }
  const flat: Record<string, YamlValue> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith("OS_") && value !== undefined && value !== "")
      flat[key.slice(3).toLowerCase()] = value;
  }
  return connectionOf(flat, "the OS_* variables");
}

function findCloud(
  name: string,
  files: readonly string[],
  required: boolean,
): Record<string, YamlValue> | undefined {
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") continue;
      throw new CloudConfigError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const doc = parseYamlSubset(text, file);
    const clouds = isMap(doc) ? doc.clouds : undefined;
    const cloud = isMap(clouds) ? clouds[name] : undefined;
    if (isMap(cloud)) return cloud;
    if (!required) return undefined;
    throw new CloudConfigError(`${file} has no cloud named ${name}`);
  }
  if (!required) return undefined;
  throw new CloudConfigError(`cloud ${name} asked, but no clouds.yaml found (looked at ${files.join(", ")})`);
}

// secure.yaml's entries win, mappings merged key by key (openstacksdk's merge of the two files).
function merge(base: Record<string, YamlValue>, over: Record<string, YamlValue>): Record<string, YamlValue> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isMap(current) && isMap(value) ? merge(current, value) : value;
  }
  return out;
}

// openstacksdk's keys that live under `auth:` (the OS_* variables give them flat).
const AUTH_KEYS = [
  "auth_url",
  "username",
  "user_id",
  "password",
  "project_name",
  "project_id",
  "tenant_name",
  "tenant_id",
  "user_domain_name",
  "user_domain_id",
  "project_domain_name",
  "project_domain_id",
  "domain_name",
  "domain_id",
  "system_scope",
  "token",
  "application_credential_id",
  "application_credential_name",
  "application_credential_secret",
  "endpoint",
] as const;

function connectionOf(cloud: Record<string, YamlValue>, where: string): CloudConnection {
  const auth: Record<string, string | undefined> = {};
  const nested = isMap(cloud.auth) ? cloud.auth : {};
  for (const key of AUTH_KEYS) auth[key] = str(nested[key]) ?? str(cloud[key]);
  const authType = (
    str(cloud.auth_type) ??
    (auth.application_credential_secret
      ? "v3applicationcredential"
      : auth.password
        ? "password"
        : auth.token
          ? "token"
          : "")
  ).toLowerCase();
  const common: CloudConnection = {
    microversion: str(cloud.compute_api_version),
    timeoutMs: cloud.api_timeout === undefined ? undefined : Number(cloud.api_timeout) * 1000,
    endpoint: str(cloud.compute_endpoint_override),
  };
  // Without Keystone: an endpoint and a token (noauth2's `user:project`, or Keystone's admin_token).
  if (
    authType === "none" ||
    authType === "noauth" ||
    authType === "admin_token" ||
    (!auth.auth_url && auth.endpoint)
  ) {
    const endpoint = common.endpoint ?? auth.endpoint;
    if (!endpoint) throw new CloudConfigError(`${where}: auth_type ${authType} needs an endpoint`);
    return { ...common, endpoint, token: auth.token };
  }
  if (!auth.auth_url) throw new CloudConfigError(`${where}: no auth_url (OS_AUTH_URL) and no endpoint`);
  const userDomain = {
    userDomainName: auth.user_domain_name ?? str(cloud.default_domain),
    userDomainId: auth.user_domain_id,
  };
  let method: KeystoneAuthOptions["auth"];
  switch (authType) {
    case "password":
    case "v3password":
      if (!auth.password) throw new CloudConfigError(`${where}: password authentication without a password`);
      method = {
        type: "password",
        username: auth.username,
        userId: auth.user_id,
        password: auth.password,
        ...userDomain,
      };
      break;
    case "token":
    case "v3token":
      if (!auth.token) throw new CloudConfigError(`${where}: token authentication without a token`);
      method = { type: "token", token: auth.token };
      break;
    case "v3applicationcredential":
    case "applicationcredential":
      if (!auth.application_credential_secret) {
        throw new CloudConfigError(`${where}: application credential without a secret`);
      }
      method = {
        type: "applicationCredential",
        id: auth.application_credential_id,
        name: auth.application_credential_name,
        secret: auth.application_credential_secret,
        username: auth.username,
        userId: auth.user_id,
        ...userDomain,
      };
      break;
    default:
      throw new CloudConfigError(`${where}: auth_type ${authType || "(none)"} is not supported`);
  }
  const keystone: KeystoneAuthOptions = {
    authUrl: auth.auth_url,
    auth: method,
    projectName: auth.project_name ?? auth.tenant_name,
    projectId: auth.project_id ?? auth.tenant_id,
    projectDomainName: auth.project_domain_name ?? str(cloud.default_domain),
    projectDomainId: auth.project_domain_id,
    domainName: auth.domain_name,
    domainId: auth.domain_id,
    systemScope: auth.system_scope,
    regionName: str(cloud.region_name),
    interface: str(cloud.interface) ?? str(cloud.endpoint_type),
  };
  return { ...common, keystone };
}

function isMap(value: YamlValue | undefined): value is { [key: string]: YamlValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: YamlValue | undefined): string | undefined {
  if (value === undefined || value === null || typeof value === "object") return undefined;
  return String(value);
}
