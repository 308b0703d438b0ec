// A registry-wide symbol, so a second copy of this package (two versions in one node_modules) still
// recognises the errors of the first, where `instanceof` fails.
const KINDS = Symbol.for("@nova/core.NovaError.kinds");

/** What every {@link NovaError} may carry besides its code and message. */
export interface NovaErrorOptions {
  /** The error this one wraps. */
  cause?: unknown;
  /** True when trying the same thing again may succeed. Default false. */
  isRetryable?: boolean;
}

/**
 * The base of every error a nova-ts package throws on purpose. `code` is stable across releases and written
 * in UPPER_SNAKE_CASE (`MESSAGING_TIMEOUT`, `DB_NOT_FOUND`): switch on it, never on the message. Where the
 * error mirrors a Nova exception, the class name (and `name`) is Nova's (`InstanceNotFound`).
 */
export class NovaError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** True when retrying may help (a lost connection, a deadlock), false for a bad request. */
  readonly isRetryable: boolean;
  /** The class names from this error's class up to NovaError, read by {@link NovaError.isInstance}. */
  readonly [KINDS]: readonly string[];

  /** Builds an error with its stable `code`, a human message, and optionally the wrapped `cause`. */
  constructor(code: string, message: string, options: NovaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
    const kinds: string[] = [];
    for (let c: unknown = new.target; typeof c === "function" && c !== Error; c = Object.getPrototypeOf(c)) {
      kinds.push((c as { name: string }).name);
    }
    this[KINDS] = kinds;
  }

  /**
   * True for an instance of the class it is called on (`MessagingTimeout.isInstance(e)`), and for any nova-ts
   * error when called on NovaError, even one thrown by another copy of the package that defines the class.
   */
  static isInstance<T extends abstract new (...args: never[]) => NovaError>(
    this: T,
    value: unknown,
  ): value is InstanceType<T> {
    if (typeof value !== "object" || value === null) return false;
    const kinds = (value as { [KINDS]?: unknown })[KINDS];
    if (!Array.isArray(kinds)) return false;
    // biome-ignore lint/complexity/noThisInStatic: polymorphic on purpose (`Subclass.isInstance(e)`).
    return value instanceof this || kinds.includes(this.name);
  }
}

/** True when `value` is a nova-ts error with the given `code` (works across package copies). */
export function hasErrorCode<C extends string>(value: unknown, code: C): value is NovaError & { code: C } {
  return NovaError.isInstance(value) && value.code === code;
}
