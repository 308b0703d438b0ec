import { ComputeApiError } from "../compute-api-error.js";

/** A 5xx answer: the server failed (`computeFault`) or is unavailable (503, `retryAfterMs` when said). */
export class ServerError extends ComputeApiError {}
