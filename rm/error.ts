/**
 * The RM's request failure: an RM error code (gunyah-abi.md §5.2) with a
 * reason for the log. Every request handler throws it; the RPC service
 * turns it into the reply's error word.
 *
 * @module
 */

/** An RM-level failure with its RM error code (gunyah-abi.md §5.2). */
export class RmRequestError extends Error {
  override readonly name = "RmRequestError";
  constructor(readonly code: number, message: string) {
    super(message);
  }
}
