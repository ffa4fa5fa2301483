/**
 * Hypercalls from a guest through the real CPU: a flat AArch64 binary,
 * generated from the seed, loads X0..X7 from a table of random 64-bit values
 * and executes `hvc #imm` with a random hypercall number (mostly Gunyah's,
 * some unknown, some SMCCC through `hvc #0`), in a loop, as the primary VM of
 * a whole system (hypervisor, RM, platform). Invariants: no host exception
 * leaves the run loop, no fault is contained (a contained fault is a bug in
 * a device or component), and the system goes on running.
 *
 * @module
 */
import { HVC_NATIVE_BASE, Hypercall } from "@gunyah-ts/core/abi";
import { GunyahSystem } from "@gunyah-ts/system";
import type { Prng } from "../prng.ts";
import { FuzzFailure, type FuzzTarget } from "../runner.ts";

const GUNYAH_CALLS: readonly number[] = Object.values(Hypercall).map((n) => HVC_NATIVE_BASE + n);
/** PSCI and SMCCC function IDs worth sending through `hvc #0` (SMCCC 1.x / PSCI 1.1). */
const SMCCC_IDS: readonly bigint[] = [
  0x8000_0000n, // SMCCC_VERSION
  0x8400_0000n, // PSCI_VERSION
  0xc400_0003n, // CPU_ON (64-bit)
  0x8400_0004n, // AFFINITY_INFO
  0x8400_000an, // PSCI_FEATURES
  0xc600_0000n,
];

/** `ldp x{t}, x{t+1}, [x20], #16` (post-index, 64-bit). */
function ldpPost(t: number): number {
  return (0xa8c00000 | (2 << 15) | ((t + 1) << 10) | (20 << 5) | t) >>> 0;
}

/** The guest: `adr x19, table; mov x20, x19; { ldp x0..x7; hvc #imm } × n; b back to mov`. */
export function hypercallGuest(prng: Prng, n: number): Uint8Array {
  const codeWords = 2 + 5 * n + 1;
  const tableOffset = Math.ceil((codeWords * 4) / 64) * 64;
  const image = new Uint8Array(tableOffset + 64 * n);
  const code = new DataView(image.buffer);
  const put = (i: number, w: number) => code.setUint32(4 * i, w >>> 0, true);
  // adr x19, tableOffset (immlo = bits 1:0, immhi = bits 20:2 of the offset)
  put(0, 0x10000000 | ((tableOffset & 3) << 29) | ((tableOffset >> 2) << 5) | 19);
  put(1, 0xaa1303f4); // mov x20, x19
  for (let b = 0; b < n; b++) {
    const at = 2 + 5 * b;
    for (let k = 0; k < 4; k++) put(at + k, ldpPost(2 * k));
    const kind = prng.below(10);
    const imm = kind < 7
      ? prng.pick(GUNYAH_CALLS)
      : kind < 9
      ? HVC_NATIVE_BASE + prng.below(0x200)
      : 0;
    put(at + 4, 0xd4000002 | ((imm & 0xffff) << 5)); // hvc #imm
    const regs = new DataView(image.buffer, tableOffset + 64 * b, 64);
    for (let r = 0; r < 8; r++) regs.setBigUint64(8 * r, prng.u64(), true);
    if (imm === 0) regs.setBigUint64(0, prng.pick(SMCCC_IDS), true);
  }
  const last = 2 + 5 * n;
  put(last, 0x14000000 | ((1 - last) & 0x3ffffff)); // b <mov x20, x19>
  return image;
}

/** The target. */
export const hypercallTarget: FuzzTarget = {
  name: "hypercall",
  description: "random hypercalls (Gunyah, unknown, SMCCC) from a guest vCPU through the CPU",
  async batch(prng, size) {
    const sys = await GunyahSystem.create({ ramBytes: 64 << 20 });
    try {
      let calls = 0;
      sys.hv.events.on("hypercall", (e) => {
        if (e.caller !== "native") calls++; // the guest's, not the RM's own
      });
      const vm = sys.launch({
        name: "fuzz",
        memory: 32 << 20,
        vcpus: 1 + prng.below(2),
        kernel: hypercallGuest(prng, Math.min(size, 512)),
        bootargs: "",
      });
      let ended = false;
      void vm.ended.then(() => (ended = true));
      try {
        sys.hv.runUntil(() => calls >= size || ended, 5e9);
      } catch (e) {
        throw new FuzzFailure(
          `a host exception left the run loop after ${calls} hypercalls: ${(e as Error).stack}`,
        );
      }
      if (sys.hv.faults > 0) {
        throw new FuzzFailure(
          `${sys.hv.faults} faults were contained (a device or component threw)`,
        );
      }
      return calls;
    } finally {
      await sys.close();
    }
  },
};
