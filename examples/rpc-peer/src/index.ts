// @nova-examples/rpc-peer: a service of your own on a Nova cloud's message bus.
/** The peer, its options and what it reads. */
export { type RpcPeer, type RpcPeerOptions, type ServiceRecord, startRpcPeer } from "./rpc-peer.js";
