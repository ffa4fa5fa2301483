/**
 * Gunyah hypervisor error codes (`error_t`).
 *
 * Source: HYP `hyp/core/base/types.tc` and the `extend error enumeration`
 * blocks of the interface `.tc` files (quic/gunyah-hypervisor 12/2023), as
 * listed in gunyah-abi.md §1.4. A hypercall returns one of these as a signed
 * 64-bit value in X0.
 *
 * @module
 */

/** `error_t` values, named as HYP names them. */
export enum HypError {
  OK = 0,
  ERROR_UNIMPLEMENTED = -1,
  ERROR_RETRY = -2,
  ERROR_ARGUMENT_INVALID = 1,
  ERROR_ARGUMENT_SIZE = 2,
  ERROR_ARGUMENT_ALIGNMENT = 3,
  ERROR_NOMEM = 10,
  ERROR_NORESOURCES = 11,
  ERROR_ADDR_OVERFLOW = 20,
  ERROR_ADDR_UNDERFLOW = 21,
  ERROR_ADDR_INVALID = 22,
  ERROR_DENIED = 30,
  ERROR_BUSY = 31,
  ERROR_IDLE = 32,
  ERROR_OBJECT_STATE = 33,
  ERROR_OBJECT_CONFIG = 34,
  ERROR_OBJECT_CONFIGURED = 35,
  ERROR_FAILURE = 36,
  ERROR_VIRQ_BOUND = 40,
  ERROR_VIRQ_NOT_BOUND = 41,
  ERROR_CSPACE_CAP_NULL = 50,
  ERROR_CSPACE_CAP_REVOKED = 51,
  ERROR_CSPACE_WRONG_OBJECT_TYPE = 52,
  ERROR_CSPACE_INSUFFICIENT_RIGHTS = 53,
  ERROR_CSPACE_FULL = 54,
  ERROR_MSGQUEUE_EMPTY = 60,
  ERROR_MSGQUEUE_FULL = 61,
  ERROR_STRING_TRUNCATED = 90,
  ERROR_STRING_REACHED_END = 91,
  ERROR_STRING_INVALID_FORMAT = 92,
  ERROR_STRING_MISSING_PLACEHOLDER = 93,
  ERROR_STRING_MISSING_ARGUMENT = 94,
  ERROR_ALLOCATOR_RANGE_OVERLAPPING = 100,
  ERROR_ALLOCATOR_MEM_INUSE = 101,
  ERROR_MEMDB_EMPTY = 110,
  ERROR_MEMDB_NOT_OWNER = 111,
  ERROR_MEMEXTENT_MAPPINGS_FULL = 120,
  ERROR_MEMEXTENT_TYPE = 121,
  ERROR_EXISTING_MAPPING = 200,
}

/** The HYP name of an error code, e.g. `"ERROR_CSPACE_FULL"`; unknown codes as `"error(<n>)"`. */
export function errorName(code: number): string {
  const name = (HypError as unknown as Record<number, string | undefined>)[code];
  return name ?? `error(${code})`;
}

/** The 64-bit register encoding of an error code (two's complement for negative codes). */
export function errorToRegister(code: number): bigint {
  return BigInt.asUintN(64, BigInt(code));
}

/** The error code held in a 64-bit result register (inverse of {@link errorToRegister}). */
export function errorFromRegister(value: bigint): number {
  return Number(BigInt.asIntN(64, value));
}

/**
 * Thrown inside the hypervisor's object and hypercall layers to abandon an
 * operation with a Gunyah error; the hypercall dispatcher catches it and
 * returns `code` to the caller in X0. Anything else thrown is a bug in the
 * hypervisor and propagates.
 */
export class HypErrorException extends Error {
  /** The Gunyah error code. */
  readonly code: HypError;

  /** An exception carrying `code`; `detail` says what was wrong, for a person. */
  constructor(code: HypError, detail?: string) {
    super(detail ? `${errorName(code)}: ${detail}` : errorName(code));
    this.name = "HypErrorException";
    this.code = code;
  }
}

/** Throw {@link HypErrorException} for `code` unless it is {@link HypError.OK}. */
export function throwIfError(code: HypError, detail?: string): void {
  if (code !== HypError.OK) throw new HypErrorException(code, detail);
}

/** Throw {@link HypErrorException} for `code` (never returns). */
export function throwHypError(code: HypError, detail?: string): never {
  throw new HypErrorException(code, detail);
}
