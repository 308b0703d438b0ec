import { ComputeApiError } from "../compute-api-error.js";

/** A 409 answer: the resource's state forbids the action now (`conflictingRequest`). */
export class ConflictError extends ComputeApiError {}
