import type { NovaLogger } from "./logger.js";
import type { RunnableService } from "./runnable-service.js";

/** Options of {@link runUntilSignal}. */
export interface RunUntilSignalOptions {
  /**
   * `[DEFAULT] graceful_shutdown_timeout` (s): how long stopping may take before `onShutdownTimeout` runs
   * (oslo.service then exits at once). 0 waits for ever.
   */
  gracefulShutdownTimeout?: number;
  /** What to do when stopping takes too long; the process's own exit in an app. */
  onShutdownTimeout?: () => void;
  /** Where SIGTERM and SIGINT come from (the process; an EventEmitter in tests). */
  signals?: Pick<NodeJS.EventEmitter, "once">;
}

/**
 * Starts the services in order and stops them in reverse on SIGTERM or SIGINT (draining what is in flight),
 * then runs `cleanup` (closing transports and databases). Resolves once stopped. A drain that outlasts
 * graceful_shutdown_timeout (a build that never ends, a peer that never answers) is cut short by
 * `onShutdownTimeout`, so an orchestrator's SIGTERM always ends the process.
 */
export async function runUntilSignal(
  services: RunnableService[],
  logger: NovaLogger,
  cleanup: () => Promise<void> = async () => {},
  options: RunUntilSignalOptions = {},
): Promise<void> {
  const started: RunnableService[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const s of [...started].reverse()) {
        await s
          .stop()
          .catch((err: unknown) => logger.error({ err: String(err), service: s.name }, "stop failed"));
      }
      await cleanup().catch((err: unknown) => logger.error({ err: String(err) }, "cleanup failed"));
      logger.info({}, "stopped");
    })();
    return stopping;
  };
  const timeoutSec = options.gracefulShutdownTimeout ?? 0;
  const done = new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info({ signal }, "stopping");
      let timer: NodeJS.Timeout | undefined;
      if (timeoutSec > 0 && options.onShutdownTimeout) {
        const onTimeout = options.onShutdownTimeout;
        timer = setTimeout(() => {
          logger.error(
            { graceful_shutdown_timeout: timeoutSec },
            "graceful shutdown timeout exceeded, exiting without finishing the drain",
          );
          onTimeout();
        }, timeoutSec * 1000);
        timer.unref();
      }
      void stop().then(() => {
        if (timer) clearTimeout(timer);
        resolve();
      });
    };
    const signals = options.signals ?? process;
    signals.once("SIGTERM", () => onSignal("SIGTERM"));
    signals.once("SIGINT", () => onSignal("SIGINT"));
  });
  try {
    for (const s of services) {
      await s.start();
      started.push(s);
      logger.info({ service: s.name }, "started");
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return done;
}
