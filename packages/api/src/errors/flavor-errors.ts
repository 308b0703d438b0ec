import { ComputeBackendError } from "./compute-backend-error.js";

/** Another flavor already has this name (Nova's FlavorExists). */
export class FlavorExistsError extends ComputeBackendError {
  /** 409. */
  readonly httpStatus = 409;

  /** Builds Nova's "Flavor with name <name> already exists." */
  constructor(
    /** The name taken. */
    readonly flavorName: string,
  ) {
    super("FLAVOR_EXISTS", `Flavor with name ${flavorName} already exists.`);
  }
}

/** Another flavor already has this flavor id (Nova's FlavorIdExists). */
export class FlavorIdExistsError extends ComputeBackendError {
  /** 409. */
  readonly httpStatus = 409;

  /** Builds Nova's "Flavor with ID <id> already exists." */
  constructor(
    /** The flavor id taken. */
    readonly flavorId: string,
  ) {
    super("FLAVOR_ID_EXISTS", `Flavor with ID ${flavorId} already exists.`);
  }
}

/** The flavor has no extra spec of this key (Nova's FlavorExtraSpecsNotFound). */
export class FlavorExtraSpecNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds Nova's "Flavor <id> has no extra specs with key <key>." */
  constructor(
    /** The flavor id. */
    readonly flavorId: string,
    /** The key asked for. */
    readonly key: string,
  ) {
    super("FLAVOR_EXTRA_SPECS_NOT_FOUND", `Flavor ${flavorId} has no extra specs with key ${key}.`);
  }
}

/** The project already has access to the flavor (Nova's FlavorAccessExists). */
export class FlavorAccessExistsError extends ComputeBackendError {
  /** 409. */
  readonly httpStatus = 409;

  /** Builds Nova's message for an access granted twice. */
  constructor(
    /** The flavor id. */
    readonly flavorId: string,
    /** The project. */
    readonly projectId: string,
  ) {
    super(
      "FLAVOR_ACCESS_EXISTS",
      `Flavor access already exists for flavor ${flavorId} and project ${projectId} combination.`,
    );
  }
}

/** The project has no access to take away (Nova's FlavorAccessNotFound). */
export class FlavorAccessNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds Nova's "Flavor access not found for <flavor> / <project> combination." */
  constructor(
    /** The flavor id. */
    readonly flavorId: string,
    /** The project. */
    readonly projectId: string,
  ) {
    super("FLAVOR_ACCESS_NOT_FOUND", `Flavor access not found for ${flavorId} / ${projectId} combination.`);
  }
}
