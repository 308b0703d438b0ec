const marker = Symbol.for("@nova/messaging.error");

/** Fields every messaging error carries; `code` is stable across releases, switch on it. */
export interface MessagingErrorOptions {
  cause?: unknown;
  isRetryable?: boolean;
}

/** Base class of every error this package throws: a stable `code`, `isRetryable`, and the `cause`. */
export class MessagingError extends Error {
  readonly [marker] = true;
  readonly code: string;
  readonly isRetryable: boolean;

  constructor(code: string, message: string, options: MessagingErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
  }

  /**
   * True for an error of this class (`MessagingTimeout.isInstance(e)`), or any messaging error when called on
   * MessagingError, even one thrown by a second copy of this package (where `instanceof` fails).
   */
  static isInstance<T extends abstract new (...args: never[]) => MessagingError>(
    this: T,
    value: unknown,
  ): value is InstanceType<T> {
    if (typeof value !== "object" || value === null || (value as { [marker]?: unknown })[marker] !== true) {
      return false;
    }
    // biome-ignore lint/complexity/noThisInStatic lint/complexity/noUselessThisAlias: polymorphic on purpose (`Subclass.isInstance(e)`).
    const cls = this;
    if ((cls as unknown) === MessagingError || value instanceof cls) return true;
    // Another copy of the package: same class name up the prototype chain.
    for (let p = Object.getPrototypeOf(value); p; p = Object.getPrototypeOf(p)) {
      if (p.constructor?.name === cls.name) return true;
    }
    return false;
  }
}
