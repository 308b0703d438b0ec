import { NovaError } from "@nova/core";
import { VirErrorDomain, VirErrorNumber, virErrorDomainName, virErrorName } from "./vir-error-codes.js";

/** The fields of libvirt's remote_error, as the daemon sent them. */
export interface LibvirtErrorFields {
  /** virErrorNumber (VirErrorNumber.NO_DOMAIN, ...). */
  readonly virCode: number;
  /** virErrorDomain: the part of libvirt that raised it. */
  readonly virDomain: number;
  /** libvirt's message. */
  readonly message: string;
  /** 1 warning, 2 error. */
  readonly level: number;
  /** libvirt's extra string arguments of the error. */
  readonly str1?: string | null;
  /** See {@link LibvirtErrorFields.str1}. */
  readonly str2?: string | null;
  /** See {@link LibvirtErrorFields.str1}. */
  readonly str3?: string | null;
  /** libvirt's extra integer arguments of the error. */
  readonly int1?: number;
  /** See {@link LibvirtErrorFields.int1}. */
  readonly int2?: number;
}

/**
 * An error reported by libvirt (or by our connection to it), with libvirt's own error number kept so callers
 * can branch on it exactly as Nova does on `libvirtError.get_error_code()`.
 */
export class LibvirtError extends NovaError {
  /** Stable code of this class (`LIBVIRT_ERROR`); the libvirt number is in `virCode`. */
  declare readonly code: "LIBVIRT_ERROR";
  /** virErrorNumber (VirErrorNumber.NO_DOMAIN, ...). */
  readonly virCode: number;
  /** virErrorDomain: the part of libvirt that raised it. */
  readonly virDomain: number;
  /** 1 warning, 2 error. */
  readonly level: number;
  /** libvirt's extra string arguments of the error. */
  readonly str1: string | null;
  /** See {@link LibvirtError.str1}. */
  readonly str2: string | null;
  /** See {@link LibvirtError.str1}. */
  readonly str3: string | null;
  /** libvirt's extra integer arguments of the error. */
  readonly int1: number;
  /** See {@link LibvirtError.int1}. */
  readonly int2: number;

  /** Wraps libvirt's remote_error fields. */
  constructor(fields: LibvirtErrorFields, options: { cause?: unknown } = {}) {
    super("LIBVIRT_ERROR", fields.message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      isRetryable: isTransportFailure(fields.virCode, fields.virDomain),
    });
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
   * True for a LibvirtError (from any copy of this package) with the given libvirt number, as Nova branches on
   * `libvirtError.get_error_code()`.
   */
  static hasVirCode(error: unknown, virCode: number): error is LibvirtError {
    return LibvirtError.isInstance(error) && error.virCode === virCode;
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

/**
 * True when the connection itself failed (closed, reset, timed out): a new connection may succeed. Nova
 * treats these codes from the RPC and remote layers as "hypervisor unavailable".
 */
function isTransportFailure(virCode: number, virDomain: number): boolean {
  const transport = virDomain === VirErrorDomain.RPC || virDomain === VirErrorDomain.REMOTE;
  return (
    transport &&
    (virCode === VirErrorNumber.SYSTEM_ERROR ||
      virCode === VirErrorNumber.INTERNAL_ERROR ||
      virCode === VirErrorNumber.RPC ||
      virCode === VirErrorNumber.NO_CONNECT ||
      virCode === VirErrorNumber.INVALID_CONN)
  );
}
