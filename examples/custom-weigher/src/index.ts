// @nova-examples/custom-weigher: a weigher of your own, loaded by nova-scheduler from nova.conf.
/** The weigher, the aggregate key it reads, and how it finds a host's rack. */
export { RACK_KEY, RackSpreadWeigher, rackOf } from "./rack-spread-weigher.js";
