#!/usr/bin/env -S npx tsx
// rpc-peer <transport_url> [host]: prints the cloud's versioned notifications and the host's nova-compute record.
import { startRpcPeer } from "./rpc-peer.js";

const [transportUrl, host] = process.argv.slice(2);
if (!transportUrl) {
  console.error("usage: rpc-peer <transport_url> [host]");
  process.exit(2);
}
const peer = await startRpcPeer({
  transportUrl,
  onNotification: (n) =>
    console.log(`${n.timestamp} ${n.publisherId} ${n.eventType} ${JSON.stringify(n.payload)}`),
});
if (host) console.log(JSON.stringify(await peer.serviceByHostAndBinary(host, "nova-compute")));
process.once("SIGINT", () => void peer.stop());
process.once("SIGTERM", () => void peer.stop());
