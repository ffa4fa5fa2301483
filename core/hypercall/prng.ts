/**
 * prng_get_entropy (0x57): up to 16 bytes of randomness in four 32-bit
 * result words (HYP `hyp/interfaces/prng`, gunyah-abi.md §1.5). The bytes
 * come from the hypervisor's seeded generator, so runs are reproducible.
 * num_bytes of 0 or above 16 is ERROR_ARGUMENT_SIZE. HYP also rate-limits
 * the call (ERROR_BUSY); this implementation does not.
 *
 * @module
 */
import { HypError, throwHypError } from "../abi/error.ts";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import type { HypercallTable } from "./table.ts";

/** Largest request of prng_get_entropy. */
export const PRNG_MAX_BYTES = 16;

/** Register prng_get_entropy. */
export function registerPrngHypercall(table: HypercallTable): void {
  table.registerHypercall(Hypercall.PRNG_GET_ENTROPY, "prng_get_entropy", (ctx, a, r) => {
    const n = a[0] > 0xffn ? 0xff : Number(a[0]);
    if (n === 0 || n > PRNG_MAX_BYTES) throwHypError(HypError.ERROR_ARGUMENT_SIZE, `${n} bytes`);
    const random = ctx.partition.services.random;
    for (let word = 0; word * 4 < n; word++) {
      const bytes = Math.min(4, n - word * 4);
      const mask = bytes === 4 ? 0xffffffffn : (1n << BigInt(bytes * 8)) - 1n;
      r[1 + word] = random.next64() & mask;
    }
  });
}
