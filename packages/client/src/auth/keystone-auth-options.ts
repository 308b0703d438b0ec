/** Keystone v3 password authentication: a user by name (with its domain) or id. */
export interface PasswordAuth {
  /** `password`. */
  type: "password";
  /** The user's name (needs `userDomainName` or `userDomainId`). */
  username?: string | undefined;
  /** The user's id. */
  userId?: string | undefined;
  /** The password. */
  password: string;
  /** The user's domain by name (`Default`). */
  userDomainName?: string | undefined;
  /** The user's domain by id (`default`). */
  userDomainId?: string | undefined;
}

/** Keystone v3 token authentication: exchange an existing token for a (re-)scoped one. */
export interface TokenAuth {
  /** `token`. */
  type: "token";
  /** The existing token. */
  token: string;
}

/** Keystone v3 application credential authentication (already scoped to its project). */
export interface ApplicationCredentialAuth {
  /** `applicationCredential`. */
  type: "applicationCredential";
  /** The credential's id (or give its name and its user). */
  id?: string | undefined;
  /** The credential's name (needs the user). */
  name?: string | undefined;
  /** The secret. */
  secret: string;
  /** The owner's name, with a name. */
  username?: string | undefined;
  /** The owner's id, with a name. */
  userId?: string | undefined;
  /** The owner's domain by name. */
  userDomainName?: string | undefined;
  /** The owner's domain by id. */
  userDomainId?: string | undefined;
}

/** Where and how to authenticate with Keystone v3, and which compute endpoint to pick from the catalog. */
export interface KeystoneAuthOptions {
  /** Keystone's URL (`http://keystone:5000/v3`, or without `/v3`). */
  authUrl: string;
  /** The credentials. */
  auth: PasswordAuth | TokenAuth | ApplicationCredentialAuth;
  /** The project to scope to, by name (needs its domain). */
  projectName?: string | undefined;
  /** The project to scope to, by id. */
  projectId?: string | undefined;
  /** The project's domain by name. */
  projectDomainName?: string | undefined;
  /** The project's domain by id. */
  projectDomainId?: string | undefined;
  /** Scope to a domain instead of a project, by name. */
  domainName?: string | undefined;
  /** Scope to a domain instead of a project, by id. */
  domainId?: string | undefined;
  /** Scope to the whole system (`all`), as admins of Zed's system-scope defaults do. */
  systemScope?: string | undefined;
  /** The region whose compute endpoint to use (default: any). */
  regionName?: string | undefined;
  /** The endpoint interface: `public` (default), `internal` or `admin` (`publicURL` etc. accepted). */
  interface?: string | undefined;
  /** The catalog's service type to use (default `compute`). */
  serviceType?: string | undefined;
}
