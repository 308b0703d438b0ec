import { z } from "zod";

/** Nova's fault names by HTTP status; anything else is `computeFault`. */
export const FAULT_NAMES: Readonly<Record<number, string>> = {
  400: "badRequest",
  401: "unauthorized",
  403: "forbidden",
  404: "itemNotFound",
  405: "badMethod",
  409: "conflictingRequest",
  413: "overLimit",
  415: "badMediaType",
  429: "overLimit",
  501: "notImplemented",
  503: "serviceUnavailable",
};

/** The fault name Nova uses for an HTTP status. */
export function faultNameFor(status: number): string {
  return FAULT_NAMES[status] ?? "computeFault";
}

/** The inner part of a fault body: `{"code": 404, "message": "..."}`. */
export const faultDetailSchema = z.looseObject({
  code: z.number().int(),
  message: z.string(),
  retryAfter: z.string().optional(),
});

/** A fault body: one key (the fault name) holding code and message, e.g. `{"itemNotFound": {...}}`. */
export const faultBodySchema = z
  .record(z.string(), faultDetailSchema)
  .refine((body) => Object.keys(body).length === 1, "a fault body has exactly one key");
/** A fault body. */
export type FaultBody = z.infer<typeof faultBodySchema>;
