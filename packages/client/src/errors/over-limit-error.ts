import { ComputeApiError } from "../compute-api-error.js";

/** A 413 or 429 answer: a quota or rate limit was hit (`overLimit`); `retryAfterMs` when the server said. */
export class OverLimitError extends ComputeApiError {}
