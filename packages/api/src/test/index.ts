export { makeCreateServerSpec, makeRequestContext } from "./create-server-spec.js";
export {
  DEFAULT_FLAVORS,
  FAKE_IMAGE_ID,
  FakeComputeBackend,
  type FakeComputeBackendOptions,
  makeFlavor,
} from "./fake-compute-backend.js";
