import type { NovaLogger } from "./logger.js";
import type { RunnableService } from "./services.js";

/**
 * Starts the services in order and stops them in reverse on SIGTERM or SIGINT (draining what is in flight),
 * then runs `cleanup` (closing transports and databases). Resolves once stopped.
 */
export async function runUntilSignal(
  services: RunnableService[],
  logger: NovaLogger,
  cleanup: () => Promise<void> = async () => {},
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
  const done = new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info({ signal }, "stopping");
      void stop().then(resolve);
    };
    process.once("SIGTERM", () => onSignal("SIGTERM"));
    process.once("SIGINT", () => onSignal("SIGINT"));
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
