import { ComputeApiError } from "../compute-api-error.js";

/** A 403 answer: policy does not allow this caller the action (`forbidden`). */
export class ForbiddenError extends ComputeApiError {}
