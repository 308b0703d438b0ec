import { VirErrorDomain, VirErrorNumber, virErrorDomainName, virErrorName } from "./vir-error-codes.js";

// A registry-wide symbol so isInstance works across duplicate copies of this package.
const LIBVIRT_ERROR = Symbol.for("@nova/virt-libvirt/LibvirtError");

/** The fields of libvirt's remote_error, as the daemon sent them. */
export interface LibvirtErrorFields {
  /** virErrorNumber (VirErrorNumber.NO_DOMAIN, ...). */
  readonly virCode: number;
  /** virErrorDomain: the part of libvirt that raised it. */
  readonly virDomain: number;
  readonly message: string;
  /** 1 warning, 2 error. */
  readonly level: number;
  readonly str1?: string | null;
  readonly str2?: string | null;
  readonly str3?: string | null;
  readonly int1?: number;
  readonly int2?: number;
}

/**
 * An error reported by libvirt (or by our connection to it), with libvirt's own error number kept so callers
 * can branch on it exactly as Nova does on `libvirtError.get_error_code()`.
 */
export class LibvirtError extends Error {
  /** Stable code of this class; the libvirt number is in `virCode`. */
  readonly code = "LibvirtError" as const;
  readonly virCode: number;
  readonly virDomain: number;
  readonly level: number;
  readonly str1: string | null;
  readonly str2: string | null;
  readonly str3: string | null;
  readonly int1: number;
  readonly int2: number;
  readonly [LIBVIRT_ERROR] = true;

  constructor(fields: LibvirtErrorFields, options: { cause?: unknown } = {}) {
    super(fields.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LibvirtError";
    this.virCode = fields.virCode;
    this.virDomain = fields.virDomain;
    this.level = fields.level;
    this.str1 = fields.str1 ?? null;
    this.str2 = fields.str2 ?? null;
    this.str3 = fields.str3 ?? null;
    this.int1 = fields.int1 ?? 0;
    this.int2 = fields.int2 ?? 0;
  }

  /** libvirt's name for the error number, e.g. "VIR_ERR_NO_DOMAIN". */
  get virCodeName(): string {
    return virErrorName(this.virCode);
  }

  /** libvirt's name for the error domain, e.g. "VIR_FROM_QEMU". */
  get virDomainName(): string {
    return virErrorDomainName(this.virDomain);
  }

  /**
   * True when the connection itself failed (closed, reset, timed out): a new connection may succeed. Nova
   * treats these codes from the RPC and remote layers as "hypervisor unavailable".
   */
  get isRetryable(): boolean {
    const transport = this.virDomain === VirErrorDomain.RPC || this.virDomain === VirErrorDomain.REMOTE;
    return (
      transport &&
      (this.virCode === VirErrorNumber.SYSTEM_ERROR ||
        this.virCode === VirErrorNumber.INTERNAL_ERROR ||
        this.virCode === VirErrorNumber.RPC ||
        this.virCode === VirErrorNumber.NO_CONNECT ||
        this.virCode === VirErrorNumber.INVALID_CONN)
    );
  }

  /** True for a LibvirtError from any copy of this package, optionally with the given libvirt number. */
  static isInstance(error: unknown, virCode?: number): error is LibvirtError {
    if (typeof error !== "object" || error === null) return false;
    if ((error as Record<symbol, unknown>)[LIBVIRT_ERROR] !== true) return false;
    return virCode === undefined || (error as LibvirtError).virCode === virCode;
  }

  /** An error raised by this client about the connection (closed, protocol violation, timeout). */
  static transport(
    message: string,
    virCode: number = VirErrorNumber.SYSTEM_ERROR,
    cause?: unknown,
  ): LibvirtError {
    return new LibvirtError({ virCode, virDomain: VirErrorDomain.RPC, message, level: 2 }, { cause });
  }
}
