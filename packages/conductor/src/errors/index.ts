export { InstanceBuildTimeout } from "./build-timeout-error.js";
export { ConductorSetupError } from "./conductor-setup-error.js";
export { HostNotMapped } from "./host-not-mapped-error.js";
export { InstanceActionNotFound } from "./instance-action-not-found.js";
export { InvalidBuildRequest } from "./invalid-build-request-error.js";
export { ObjectActionError } from "./object-action-error.js";
export { ServiceBinaryExists } from "./service-exists-error.js";
export { UnexpectedVMStateError } from "./unexpected-vm-state-error.js";
