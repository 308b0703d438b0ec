/** A Compute API microversion such as 2.1 or 2.93; compare with `compare` or `matches`. */
export class ApiVersion {
  /** The microversion `major.minor`; use `ApiVersion.parse` for text. */
  constructor(
    /** The major version (2 for the Compute API v2.1). */
    readonly major: number,
    /** The microversion number (93 in 2.93). */
    readonly minor: number,
  ) {}

  /** Parses "X.Y" as Nova does (no leading zeros, minor may be 0); returns undefined when malformed. */
  static parse(text: string): ApiVersion | undefined {
    const match = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(text);
    if (!match) return undefined;
    return new ApiVersion(Number(match[1]), Number(match[2]));
  }

  /** Negative, zero or positive as this version is below, equal to or above `other`. */
  compare(other: ApiVersion): number {
    return this.major - other.major || this.minor - other.minor;
  }

  /** True when min <= this <= max. */
  matches(min: ApiVersion, max: ApiVersion): boolean {
    return this.compare(min) >= 0 && this.compare(max) <= 0;
  }

  /** True when this version is at least "X.Y". */
  atLeast(text: string): boolean {
    const other = ApiVersion.parse(text);
    if (!other) throw new TypeError(`not a microversion: ${text}`);
    return this.compare(other) >= 0;
  }

  /** "X.Y", as the version headers carry it. */
  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

/** The lowest microversion of the Compute API v2.1 (Nova Zed). */
export const MIN_API_VERSION = new ApiVersion(2, 1);
/** The highest microversion this implementation serves (Nova Zed: 2.93). */
export const MAX_API_VERSION = new ApiVersion(2, 93);
/** The last microversion that still serves Nova's image proxy (`/images`). */
export const MAX_PROXY_API_VERSION = new ApiVersion(2, 35);
/** The new-style microversion request and response header. */
export const API_VERSION_HEADER = "OpenStack-API-Version";
/** The legacy microversion header (before 2.27), still accepted and sent. */
export const LEGACY_API_VERSION_HEADER = "X-OpenStack-Nova-API-Version";
