/** The driver interface every transport implements (AMQP-shaped primitives). */
export type {
  ConsumerHandle,
  Delivery,
  DriverState,
  ExchangeDeclaration,
  MessagingDriver,
  Publication,
  QueueDeclaration,
  Subscription,
} from "./drivers/driver.js";
/** In-process broker behind `fake://`; share one between transports to connect them. */
export { FakeBroker } from "./drivers/fake-broker.js";
/** The `fake://` driver. */
export { FakeDriver } from "./drivers/fake-driver.js";
/** The `rabbit://` driver (amqplib). */
export { RabbitDriver, type RabbitDriverConfig } from "./drivers/rabbit-driver.js";
/** Typed errors, each with a stable `code` and `isRetryable`. */
export {
  BufferOverflow,
  ConnectionLost,
  DISPATCHER_MODULE,
  InvalidTarget,
  InvalidTransportUrl,
  MalformedMessage,
  MessagingError,
  MessagingTimeout,
  NoSuchMethod,
  PublishRejected,
  RemoteError,
  type RemoteFailure,
  RpcVersionCapError,
  TransportClosed,
  UnsupportedVersion,
} from "./errors/index.js";
/** Notifications: sending and listening. */
export {
  NOTIFICATION_PRIORITIES,
  type Notification,
  type NotificationHandler,
  NotificationListener,
  type NotificationListenerOptions,
  type NotificationPriority,
  Notifier,
  type NotifierOptions,
} from "./notify/index.js";
/** Options by oslo.messaging name, parsed once with zod. */
export {
  type MessagingOptions,
  type MessagingOptionsInput,
  messagingOptionsSchema,
  parseMessagingOptions,
} from "./options.js";
/** RPC: client, server, endpoints, targets, versions. */
export {
  DEADLINE_HEADER,
  type PrepareOptions,
  type RpcArgs,
  RpcClient,
  type RpcClientOptions,
  type RpcMethodArgs,
  type RpcMethodMap,
  type RpcMethodResult,
} from "./rpc/rpc-client.js";
export { type DispatchRequest, findMethod } from "./rpc/rpc-dispatcher.js";
export type { EndpointMethod, RpcEndpoint } from "./rpc/rpc-endpoint.js";
export { RpcServer, type RpcServerLane, type RpcServerOptions } from "./rpc/rpc-server.js";
export { isVersionCompatible } from "./rpc/rpc-version.js";
export type { Target } from "./rpc/target.js";
/** Transports chosen by URL. */
export { getTransport, Transport, type TransportInit } from "./transport.js";
export { parseTransportUrl, type TransportHost, type TransportUrl } from "./transport-url.js";
/** The wire format: envelope, failures, context, topology (for tools and tests). */
export { deserializeMsg, OSLO_VERSION, serializeMsg } from "./wire/envelope.js";
export {
  DEFAULT_ERROR_MODULE,
  defaultRemoteErrors,
  deserializeFailure,
  type RemoteErrorFactory,
  type RemoteErrorRegistry,
  type RemoteErrorShape,
  serializeFailure,
} from "./wire/failure.js";
export { pythonJsonDumps } from "./wire/python-json.js";
export { packContext, type RequestContext, unpackContext } from "./wire/request-context.js";
export { Topology } from "./wire/topology.js";
