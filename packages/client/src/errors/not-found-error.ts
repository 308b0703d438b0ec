import { ComputeApiError } from "../compute-api-error.js";

/** A 404 answer: the resource does not exist or is not visible to the caller (`itemNotFound`). */
export class NotFoundError extends ComputeApiError {}
