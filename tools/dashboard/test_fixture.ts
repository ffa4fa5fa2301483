/**
 * Test fixtures: tiny flat AArch64 guests (hand-encoded instruction words)
 * and a system running one.
 *
 * @module
 */
import { GunyahSystem, type VmInstance } from "@gunyah-ts/system";

/** QEMU virt PL011 data register base used by the guests (platform-facts.md: UART0 0x0900_0000). */
const MOVZ_X1_PL011 = 0xd2a12001; // movz x1, #0x0900, lsl #16
const STRB_W2_X1 = 0x39000022; // strb w2, [x1]

/** `movz w2, #ch`. */
function movzW2(ch: number): number {
  return (0x52800002 | (ch << 5)) >>> 0;
}

function flat(words: number[]): Uint8Array {
  return new Uint8Array(Uint32Array.from(words).buffer);
}

function printWords(text: string): number[] {
  const out = [MOVZ_X1_PL011];
  for (const ch of new TextEncoder().encode(text)) out.push(movzW2(ch), STRB_W2_X1);
  return out;
}

/** A flat guest that prints `text` on the PL011, then waits for interrupts forever (WFI loop). */
export function printThenWaitGuest(text: string): Uint8Array {
  return flat([
    ...printWords(text),
    0xd503207f, // wfi
    0x17ffffff, // b .-4
  ]);
}

/** A flat guest that prints `text`, then PSCI SYSTEM_OFF over HVC. */
export function printThenOffGuest(text: string): Uint8Array {
  return flat([
    ...printWords(text),
    0xd2800100, // movz x0, #0x0008
    0xf2b08000, // movk x0, #0x8400, lsl #16   (PSCI SYSTEM_OFF 0x8400_0008)
    0xd4000002, // hvc #0
    0x14000000, // b .
  ]);
}

/** A system with `ramMiB` of RAM and one launched VM `primary` (16 MiB, 1 vCPU) running `kernel`. */
export async function systemWithGuest(
  kernel: Uint8Array,
  ramMiB = 64,
): Promise<{ system: GunyahSystem; vm: VmInstance }> {
  const system = await GunyahSystem.create({ ramBytes: ramMiB << 20 });
  const vm = system.launch({ name: "primary", memory: 16 << 20, vcpus: 1, kernel, bootargs: "" });
  return { system, vm };
}
