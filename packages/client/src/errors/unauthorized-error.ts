import { ComputeApiError } from "../compute-api-error.js";

/** A 401 answer: the token is missing, expired or revoked (the client re-authenticates once before throwing it). */
export class UnauthorizedError extends ComputeApiError {}
