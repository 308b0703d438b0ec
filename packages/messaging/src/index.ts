// The public surface: what a program needs to talk oslo.messaging to OpenStack services. Wire codecs, the
// topology, the concrete drivers and the dispatcher stay inside (tests import them by path).

/** The driver interface a transport runs on, for custom or instrumented drivers (`TransportInit.driver`). */
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
/** Typed errors, each with a stable `MESSAGING_*` code and `isRetryable` (see `@nova/core`'s NovaError). */
export {
  BufferOverflow,
  ConnectionLost,
  InvalidTarget,
  InvalidTransportUrl,
  MalformedMessage,
  MessagingError,
  MessagingTimeout,
  type MessagingTimeoutDetails,
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
/** Several observers on one transport. */
export { combineObservers } from "./rpc/combine-observers.js";
/** Observing the traffic (metrics, traces): the hooks a transport calls when given an observer. */
export type {
  DroppedMessageReason,
  MessagingObserver,
  RpcDispatchEvent,
  RpcDispatchScope,
  RpcSendEvent,
  RpcSendKind,
  RpcSendScope,
} from "./rpc/messaging-observer.js";
/** RPC: client, server, endpoints, targets. */
export {
  type PrepareOptions,
  type RpcArgs,
  RpcClient,
  type RpcClientOptions,
  type RpcMethodArgs,
  type RpcMethodMap,
  type RpcMethodResult,
} from "./rpc/rpc-client.js";
export type { DispatchRequest } from "./rpc/rpc-dispatcher.js";
export type { EndpointMethod, RpcEndpoint } from "./rpc/rpc-endpoint.js";
export { RpcServer, type RpcServerLane, type RpcServerOptions } from "./rpc/rpc-server.js";
export type { Target } from "./rpc/target.js";
/** Transports chosen by URL. */
export { getTransport, Transport, type TransportInit } from "./transport.js";
export { parseTransportUrl, type TransportHost, type TransportUrl } from "./transport-url.js";
/** Remote errors: which ones a client rebuilds as typed errors, and how an endpoint's error travels. */
export {
  defaultRemoteErrors,
  type RemoteErrorFactory,
  type RemoteErrorRegistry,
  type RemoteErrorShape,
} from "./wire/failure.js";
/** Python's `json.dumps`, byte for byte: for JSON a Python peer compares or stores as text. */
export { pythonJsonDumps } from "./wire/python-json.js";
export type { RequestContext } from "./wire/request-context.js";
