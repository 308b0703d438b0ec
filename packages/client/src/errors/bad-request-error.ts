import { ComputeApiError } from "../compute-api-error.js";

/** A 400 answer: the request was malformed or invalid at this microversion (`badRequest`). */
export class BadRequestError extends ComputeApiError {}
