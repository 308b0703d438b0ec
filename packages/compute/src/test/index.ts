// Helpers for tests of nova-compute and of its peers: a scripted conductor and a scheduler fanout listener.
/** An in-memory nova-conductor serving the compute's object methods. */
export { type ConductorCall, FakeConductor, type RecordedEvent } from "./fake-conductor.js";
/** A Nova instance ready to be built. */
export { novaInstance } from "./instance-builder.js";
/** Records update_instance_info / delete_instance_info fanouts. */
export { type FanoutCall, SchedulerFanoutRecorder } from "./scheduler-fanout-recorder.js";
