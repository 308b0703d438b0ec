/** One repository method call, as a {@link DatabaseObserver} hears of it once it settled. */
export interface RepositoryCall {
  /** The repository's name on its database (`instances`, `computeNodes`, `flavors`, ...). */
  repository: string;
  /** The method called (`list`, `claim`, ...). */
  method: string;
  /** How long its promise took to settle (retries and waits for a pooled connection included). */
  seconds: number;
  /** What it rejected with, when it failed. */
  error?: unknown;
}

/** An instance action's event finished (InstanceActionEvent.event_finish_with_failure). */
export interface InstanceEventFinished {
  /** The action the event belongs to (`create`, `reboot`, `resize`, ...). */
  action: string;
  /** The event (`conductor_schedule_and_build_instances`, `compute__do_build_and_run_instance`, ...). */
  event: string;
  /** How it finished. */
  result: "Success" | "Error";
  /** From the event's start to its finish: the time of this stage. */
  stageSeconds: number;
  /** From the action's start (the API request) to the event's finish. */
  elapsedSeconds: number;
}

/**
 * What a database reports as it works, for metrics: a library has no metrics of its own, so whoever opens
 * the database passes one in (every hook optional, none may throw, none is awaited).
 */
export interface DatabaseObserver {
  /** A public repository method settled. */
  repositoryCall?(call: RepositoryCall): void;
  /** Connections checked out of the MariaDB pool changed (SQLite has no pool and never calls it). */
  poolConnectionsInUse?(inUse: number): void;
  /** An instance action event was recorded finished. */
  instanceEventFinished?(finished: InstanceEventFinished): void;
}

/**
 * `repo` with every method call timed for `observer` (label `<name>.<method>`): a proxy over the repository,
 * so the repositories stay free of metrics code. Calls a repository makes on itself are not counted twice:
 * methods run with the repository itself as `this`.
 */
export function observeRepository<T extends object>(
  repo: T,
  name: string,
  observer: DatabaseObserver | undefined,
): T {
  const report = observer?.repositoryCall?.bind(observer);
  if (!report) return repo;
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(repo, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function" || typeof prop !== "string" || prop === "constructor") return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        const method = value as (...args: unknown[]) => unknown;
        fn = (...args: unknown[]): unknown => {
          const started = performance.now();
          const done = (error?: unknown) =>
            report({
              repository: name,
              method: prop,
              seconds: (performance.now() - started) / 1000,
              ...(error !== undefined ? { error } : {}),
            });
          let out: unknown;
          try {
            out = method.apply(target, args);
          } catch (err) {
            done(err);
            throw err;
          }
          // Only promises are database work; a synchronous helper is not a query.
          if (out instanceof Promise) {
            out.then(
              () => done(),
              (err: unknown) => done(err ?? new Error("rejected")),
            );
          }
          return out;
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
