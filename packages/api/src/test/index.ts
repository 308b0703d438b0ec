export {
  DEFAULT_FLAVORS,
  FAKE_IMAGE_ID,
  FakeComputeBackend,
  type FakeComputeBackendOptions,
  makeFlavor,
} from "./fake-compute-backend.js";
