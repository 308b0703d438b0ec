// @nova/console: a live web page of a nova-ts cloud for operators, fed by a messaging observer or the broker's
// firehose (flows), a scheduling observer (NoValidHost explanations) and the Compute API (services, hypervisors,
// instances).

/** Services, hypervisors and instances from the Compute API. */
export { type CloudReader, computeApiCloudReader } from "./cloud-reader.js";
/** The HTTP server: the page, its state and its event stream. */
export { type ConsoleServer, type ConsoleServerOptions, startConsoleServer } from "./console-server.js";
/** What the page is sent. */
export type {
  CloudState,
  ConsoleSnapshot,
  DecisionRecord,
  DecisionStage,
  Flow,
  FlowStep,
  HypervisorRow,
  InstanceRow,
  ServiceRow,
} from "./console-state.js";
/** The page's bundle (vite). */
export { buildConsoleUi, consoleViteConfig, defaultConsoleUiDir, ensureConsoleUi } from "./console-ui.js";
/** The scheduler's recent decisions, for the NoValidHost view. */
export { DecisionLog } from "./decision-log.js";
/** The broker's firehose (`amq.rabbitmq.trace`) of a vhost, read for separate services. */
export {
  consumeFirehose,
  FIREHOSE_EXCHANGE,
  type FirehoseConsumer,
  type FirehoseConsumerOptions,
} from "./firehose-consumer.js";
/** Each request's hops, recorded from the broker's firehose (separate services over RabbitMQ). */
export {
  FirehoseFlowRecorder,
  type FirehoseFlowRecorderOptions,
  type TracedMessage,
} from "./firehose-flow-recorder.js";
/** What the console server reads flows from. */
export type { FlowSource } from "./flow-book.js";
/** Each request's hops, recorded from a transport's observer. */
export { FlowRecorder, type FlowRecorderOptions } from "./flow-recorder.js";
