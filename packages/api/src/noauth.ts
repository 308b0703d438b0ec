import type { IncomingHttpHeaders } from "node:http";
import { inboundGlobalRequestId } from "./global-request-id.js";
import type { RequestContext } from "./request-context.js";

/** What Nova's noauth2 middleware decided: a caller, or the fake-token answer to a tokenless request. */
export type NoAuthOutcome =
  | { kind: "authenticated"; context: RequestContext }
  | { kind: "token-issued"; headers: Record<string, string> };

/**
 * Nova's `noauth2` development auth: `X-Auth-Token: user:project` (user `admin` is an admin). Without a
 * token Nova answers 204 with a token made of `X-Auth-User` and `X-Auth-Project-Id` (both default `admin`).
 */
export function noAuth2(
  headers: IncomingHttpHeaders,
  request: { requestId: string; remoteAddress: string; url: string },
): NoAuthOutcome {
  const token = single(headers["x-auth-token"]);
  if (token === undefined) {
    const user = single(headers["x-auth-user"]) ?? "admin";
    const project = single(headers["x-auth-project-id"]) ?? "admin";
    return {
      kind: "token-issued",
      headers: {
        "X-Auth-Token": `${user}:${project}`,
        "X-Server-Management-Url": request.url.replace(/\/+$/, ""),
        "Content-Type": "text/plain; charset=UTF-8",
      },
    };
  }
  const separator = token.indexOf(":");
  const userId = separator === -1 ? token : token.slice(0, separator);
  const projectId = (separator === -1 ? "" : token.slice(separator + 1)) || userId;
  const isAdmin = userId === "admin";
  const globalRequestId = inboundGlobalRequestId(headers);
  return {
    kind: "authenticated",
    context: {
      userId,
      projectId,
      isAdmin,
      roles: isAdmin ? ["admin", "member", "reader"] : ["member", "reader"],
      requestId: request.requestId,
      ...(globalRequestId !== undefined ? { globalRequestId } : {}),
      remoteAddress: request.remoteAddress,
    },
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
