/**
 * Test support: the assembly text of the bare-metal guests that the QEMU
 * differential tests run on the reference machine (see `test_qemu.ts`).
 *
 * Every guest has the same frame, built by {@link guestProgram}: X20 points
 * at the test's `inputs` and X21 at its `outputs`; the test's body runs the
 * instructions under test, loading their operands through X20 and storing
 * their results through X21; then the `outputs` (and any further areas) are
 * printed on the PL011 one 64-bit value per line as 16 lowercase hex digits,
 * and the guest powers the machine off with PSCI SYSTEM_OFF through HVC
 * (QEMU virt's PSCI conduit for a guest entered at EL1).
 *
 * @module
 */
import { VIRT_UART_BASE } from "@gunyah-ts/platform-qemu-virt";
import { PSCI_SMC32_BASE, PsciFunction } from "@gunyah-ts/core/abi";

/**
 * CPACR_EL1 with FPEN (bits 21:20) = 0b11: FP and AdvSIMD not trapped at EL0
 * or EL1 (DDI 0487, D17.2.30 CPACR_EL1).
 */
export const CPACR_EL1_FPEN_NO_TRAP = 0b11 << 20;

/** What the fault vector of {@link guestProgram} writes to its marker register. */
export const FAULT_MARKER = 0xdead;

/**
 * Offset of "synchronous exception from the current EL with SP_ELx" in a
 * vector table (DDI 0487, D1.10.2 "Exception vectors").
 */
const VECTOR_CURRENT_EL_SPX_SYNC = 0x200;
/** Alignment of VBAR_EL1 (bits 10:0 are RES0): 2 KiB. */
const VECTOR_TABLE_ALIGN = 2048;

/** Label of the inputs area; X20 points at it when the body starts. */
export const INPUTS = "inputs";
/** Label of the outputs area; X21 points at it when the body starts. */
export const OUTPUTS = "outputs";

/** `reg` = address of `label` (ADRP + ADD :lo12:, PC-relative within ±4 GiB). */
export function loadAddress(reg: string, label: string): string[] {
  return [`  adrp ${reg}, ${label}`, `  add ${reg}, ${reg}, :lo12:${label}`];
}

/** `reg` = a 32-bit unsigned `value` (MOVZ of bits 15:0, MOVK of bits 31:16). */
export function moveImmediate32(reg: string, value: number): string[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`moveImmediate32: ${value} is not a 32-bit unsigned integer`);
  }
  const hex = (v: number) => `#0x${v.toString(16)}`;
  return [`  movz ${reg}, ${hex(value & 0xffff)}`, `  movk ${reg}, ${hex(value >>> 16)}, lsl #16`];
}

/**
 * LDP or STP of the registers `first` .. `first + count - 1` of a bank (X or
 * Q) in pairs, post-incrementing the base register `base` by the pair's size.
 */
export function pairTransfers(
  op: "ldp" | "stp",
  bank: "x" | "q",
  first: number,
  count: number,
  base: string,
): string[] {
  if (count % 2 !== 0) throw new RangeError(`pairTransfers: ${count} registers do not pair up`);
  const step = bank === "x" ? 16 : 32;
  const lines: string[] = [];
  for (let r = first; r < first + count; r += 2) {
    lines.push(`  ${op} ${bank}${r}, ${bank}${r + 1}, [${base}], #${step}`);
  }
  return lines;
}

/** The instruction word under test, emitted as data in the text (`.inst`). */
export function instLine(word: number): string {
  return `  .inst 0x${(word >>> 0).toString(16).padStart(8, "0")}`;
}

/** One `.quad` line per value (values must be in 0 .. 2^64 - 1). */
export function quadLines(values: Iterable<bigint>): string[] {
  const lines: string[] = [];
  for (const v of values) lines.push(`  .quad 0x${v.toString(16)}`);
  return lines;
}

/**
 * Subroutine `print_quads`: prints the X23 64-bit values at X22 on the
 * PL011 data register (UARTDR at offset 0, written without polling the
 * FIFO: QEMU's PL011 sends every write at once), each as 16 hex digits, most significant first, and a
 * newline. Clobbers X10..X14 and X22..X24.
 */
function printQuadsRoutine(): string[] {
  return [
    "print_quads:",
    ...moveImmediate32("x24", VIRT_UART_BASE),
    "1: ldr x10, [x22], #8",
    "  mov x11, #60",
    "2: lsr x12, x10, x11",
    "  and x12, x12, #15",
    "  cmp x12, #10",
    "  add x13, x12, #48", // '0' + digit
    "  add x14, x12, #87", // 'a' - 10 + digit
    "  csel x12, x13, x14, lo",
    "  strb w12, [x24]",
    "  subs x11, x11, #4",
    "  b.ge 2b",
    "  mov x12, #10", // '\n'
    "  strb w12, [x24]",
    "  subs x23, x23, #1",
    "  b.ne 1b",
    "  ret",
  ];
}

/**
 * A vector table whose "current EL with SP_ELx" synchronous entry sets
 * `markRegister` to {@link FAULT_MARKER} and returns past the faulting
 * instruction (ELR_EL1 + 4), so a fault shows up as that value in the
 * results rather than stopping the guest.
 */
function faultVectors(markRegister: string): string[] {
  return [
    `.balign ${VECTOR_TABLE_ALIGN}`,
    "vectors:",
    `  .space 0x${VECTOR_CURRENT_EL_SPX_SYNC.toString(16)}`,
    `  mov ${markRegister}, #0x${FAULT_MARKER.toString(16)}`,
    "  mrs x9, elr_el1",
    "  add x9, x9, #4",
    "  msr elr_el1, x9",
    "  eret",
    `.balign ${VECTOR_TABLE_ALIGN}`,
  ];
}

/** PSCI SYSTEM_OFF (SMC32 function ID) through HVC; never returns. */
function systemOff(): string[] {
  return [
    ...moveImmediate32("x0", (PSCI_SMC32_BASE | PsciFunction.SYSTEM_OFF) >>> 0),
    "  hvc #0",
    "  b .",
  ];
}

/** A memory area the guest prints after its body. */
export interface PrintedArea {
  /** Its label. */
  readonly label: string;
  /** Number of 64-bit values printed from it. */
  readonly quads: number;
}

/** What a differential guest consists of; see {@link guestProgram}. */
export interface GuestProgram {
  /** Set CPACR_EL1.FPEN so that FP and AdvSIMD instructions do not trap. */
  readonly enableFp?: boolean;
  /**
   * Install a vector table that writes {@link FAULT_MARKER} to this register
   * (e.g. `"x0"`) on a synchronous exception and skips the instruction;
   * without it a fault hangs the guest until the timeout.
   */
  readonly faultMarkRegister?: string;
  /** The test proper; it may use X0..X19 and X25..X30 freely and must advance X20/X21. */
  readonly body: readonly string[];
  /** The lines of data at {@link INPUTS} (16-byte aligned). */
  readonly inputs: readonly string[];
  /** Size of {@link OUTPUTS} in 64-bit values (16-byte aligned); all are printed first. */
  readonly outputQuads: number;
  /** Further areas printed after the outputs, in order. */
  readonly alsoPrint?: readonly PrintedArea[];
  /** Subroutines the body calls, placed after the program's end. */
  readonly routines?: readonly string[];
  /** Further data lines, after the outputs (they may switch section). */
  readonly data?: readonly string[];
}

/** The complete assembly source (entry `_start`) of a differential guest. */
export function guestProgram(p: GuestProgram): string {
  const lines = [".global _start", "_start:"];
  if (p.enableFp) {
    lines.push(...moveImmediate32("x0", CPACR_EL1_FPEN_NO_TRAP), "  msr cpacr_el1, x0");
  }
  if (p.faultMarkRegister !== undefined) {
    lines.push(...loadAddress("x0", "vectors"), "  msr vbar_el1, x0");
  }
  if (p.enableFp || p.faultMarkRegister !== undefined) lines.push("  isb");
  lines.push(...loadAddress("x20", INPUTS), ...loadAddress("x21", OUTPUTS), ...p.body);
  for (const area of [{ label: OUTPUTS, quads: p.outputQuads }, ...(p.alsoPrint ?? [])]) {
    if (area.quads < 1) throw new RangeError(`guestProgram: nothing to print at ${area.label}`);
    lines.push(
      ...loadAddress("x22", area.label),
      ...moveImmediate32("x23", area.quads),
      "  bl print_quads",
    );
  }
  lines.push(...systemOff(), ...printQuadsRoutine(), ...(p.routines ?? []));
  if (p.faultMarkRegister !== undefined) lines.push(...faultVectors(p.faultMarkRegister));
  lines.push(
    ".ltorg",
    ".data",
    ".balign 16",
    `${INPUTS}:`,
    ...p.inputs,
    ".balign 16",
    `${OUTPUTS}:`,
    `  .space ${p.outputQuads * 8}`,
    ...(p.data ?? []),
  );
  return lines.join("\n") + "\n";
}
