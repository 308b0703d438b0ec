import { InvalidTransportUrl } from "./errors/invalid-transport-url.js";

/** One broker endpoint of a transport URL. */
export interface TransportHost {
  /** Host name or address. */
  hostname: string;
  /** Port; default 5672. */
  port: number | undefined;
  /** User; default guest. */
  username: string | undefined;
  /** Password; default guest. */
  password: string | undefined;
}

/** A parsed `transport_url` (oslo's `TransportURL`). */
export interface TransportUrl {
  /** The driver: `rabbit` (alias `kombu`, `amqp` for AMQP 0-9-1 here) or `fake`. */
  transport: string;
  /** Hosts to fail over between, in order; empty means localhost. */
  hosts: TransportHost[];
  /** `undefined` when the URL has no path; the rabbit driver then uses `/`. */
  virtualHost: string | undefined;
  /** Query parameters, as given. */
  query: Record<string, string>;
}

function decode(url: string, part: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidTransportUrl(url, part, `bad percent-encoding in ${JSON.stringify(text)}`);
  }
}

function parseHost(url: string, entry: string): TransportHost {
  let hostPart = entry;
  let username: string | undefined;
  let password: string | undefined;
  const at = entry.lastIndexOf("@");
  if (at >= 0) {
    const creds = entry.slice(0, at);
    hostPart = entry.slice(at + 1);
    const colon = creds.indexOf(":");
    username = decode(url, "username", colon >= 0 ? creds.slice(0, colon) : creds);
    if (colon >= 0) password = decode(url, "password", creds.slice(colon + 1));
  }
  let hostname = hostPart;
  let portText: string | undefined;
  if (hostPart.startsWith("[")) {
    const end = hostPart.indexOf("]");
    if (end < 0)
      throw new InvalidTransportUrl(url, "host", `unterminated IPv6 address in ${JSON.stringify(entry)}`);
    hostname = hostPart.slice(1, end);
    const rest = hostPart.slice(end + 1);
    if (rest.startsWith(":")) portText = rest.slice(1);
    else if (rest !== "") throw new InvalidTransportUrl(url, "host", `junk after IPv6 address: ${rest}`);
  } else {
    const colon = hostPart.indexOf(":");
    if (colon >= 0) {
      hostname = hostPart.slice(0, colon);
      portText = hostPart.slice(colon + 1);
    }
  }
  if (hostname === "")
    throw new InvalidTransportUrl(url, "host", `empty host name in ${JSON.stringify(entry)}`);
  if (/[\s/?#]/.test(hostname))
    throw new InvalidTransportUrl(url, "host", `bad host name ${JSON.stringify(hostname)}`);
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new InvalidTransportUrl(
        url,
        "port",
        `${JSON.stringify(portText)} is not a port number (1-65535)`,
      );
    }
    port = Number(portText);
  }
  return { hostname, port, username, password };
}

/**
 * Parses `transport://user:pass@host:port[,user2:pass2@host2:port2]/virtual_host?query` the way oslo does.
 * A host without credentials borrows those of the host before it, so `rabbit://u:p@h1,h2/` logs in as `u` on both.
 */
export function parseTransportUrl(url: string): TransportUrl {
  if (typeof url !== "string" || url.trim() === "") {
    throw new InvalidTransportUrl(String(url), "url", "empty transport URL");
  }
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (!schemeMatch)
    throw new InvalidTransportUrl(url, "scheme", "no scheme specified (expected e.g. rabbit://)");
  const transport = schemeMatch[1]!.toLowerCase();
  let rest = url.slice(schemeMatch[0].length);
  const hashAt = rest.indexOf("#");
  if (hashAt >= 0) rest = rest.slice(0, hashAt);
  let queryText = "";
  const queryAt = rest.indexOf("?");
  if (queryAt >= 0) {
    queryText = rest.slice(queryAt + 1);
    rest = rest.slice(0, queryAt);
  }
  const slashAt = rest.indexOf("/");
  const netloc = slashAt >= 0 ? rest.slice(0, slashAt) : rest;
  const virtualHost = slashAt >= 0 ? decode(url, "virtual_host", rest.slice(slashAt + 1)) : undefined;

  const hosts: TransportHost[] = [];
  for (const entry of netloc.split(",")) {
    if (entry === "") continue;
    const host = parseHost(url, entry);
    const previous = hosts[hosts.length - 1];
    if (host.username === undefined && previous) {
      host.username = previous.username;
      host.password = previous.password;
    }
    hosts.push(host);
  }
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(queryText)) {
    query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  }
  return { transport, hosts, virtualHost, query };
}
