export {
  NOTIFICATION_PRIORITIES,
  type Notification,
  type NotificationHandler,
  type NotificationPriority,
} from "./notification.js";
export { NotificationListener, type NotificationListenerOptions } from "./notification-listener.js";
export { Notifier, type NotifierOptions } from "./notifier.js";
