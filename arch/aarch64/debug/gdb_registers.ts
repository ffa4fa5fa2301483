/**
 * The AArch64 registers as a GDB remote stub numbers them, and the target
 * description that names them (GDB's `org.gnu.gdb.aarch64.core` and
 * `org.gnu.gdb.aarch64.fpu` features, in that order): x0-x30 are 0-30, sp
 * 31, pc 32, cpsr 33 (32 bits), v0-v31 34-65 (128 bits), fpsr 66 and fpcr
 * 67 (32 bits). GDB identifies the registers by these feature and register
 * names (aarch64-tdep.c validates them), so the numbering must not change.
 *
 * @module
 */

/** GDB number of sp (the current stack pointer). */
export const GDB_SP = 31;
/** GDB number of pc. */
export const GDB_PC = 32;
/** GDB number of cpsr (PSTATE as an SPSR-format 32-bit value). */
export const GDB_CPSR = 33;
/** GDB number of v0 (v0-v31 are 34-65). */
export const GDB_V0 = 34;
/** GDB number of fpsr. */
export const GDB_FPSR = 66;
/** GDB number of fpcr. */
export const GDB_FPCR = 67;
/** Number of registers in the description. */
export const GDB_REGISTER_COUNT = 68;

/** Size in bits of register `n` (0 if there is no such register). */
export function gdbRegisterBits(n: number): number {
  if (n < 0 || n >= GDB_REGISTER_COUNT) return 0;
  if (n <= GDB_PC) return 64;
  if (n === GDB_CPSR || n >= GDB_FPSR) return 32;
  return 128;
}

function reg(name: string, bits: number, type: string, regnum?: number, group?: string): string {
  return `    <reg name="${name}" bitsize="${bits}" type="${type}"` +
    (regnum === undefined ? "" : ` regnum="${regnum}"`) +
    (group === undefined ? "" : ` group="${group}"`) + "/>";
}

function coreFeature(): string {
  const lines = ['  <feature name="org.gnu.gdb.aarch64.core">'];
  lines.push('    <flags id="cpsr_bits" size="4">');
  const bits: [string, number][] = [
    ["SP", 0],
    ["F", 6],
    ["I", 7],
    ["A", 8],
    ["D", 9],
    ["IL", 20],
    ["SS", 21],
    ["PAN", 22],
    ["V", 28],
    ["C", 29],
    ["Z", 30],
    ["N", 31],
  ];
  for (const [name, bit] of bits) {
    lines.push(`      <field name="${name}" start="${bit}" end="${bit}"/>`);
  }
  lines.push('      <field name="EL" start="2" end="3"/>');
  lines.push("    </flags>");
  for (let n = 0; n <= 30; n++) lines.push(reg(`x${n}`, 64, "int", n === 0 ? 0 : undefined));
  lines.push(reg("sp", 64, "data_ptr"));
  lines.push(reg("pc", 64, "code_ptr"));
  lines.push(reg("cpsr", 32, "cpsr_bits"));
  lines.push("  </feature>");
  return lines.join("\n");
}

function fpuFeature(): string {
  const lines = ['  <feature name="org.gnu.gdb.aarch64.fpu">'];
  const vectors: [string, string, number][] = [
    ["v2d", "ieee_double", 2],
    ["v2u", "uint64", 2],
    ["v4f", "ieee_single", 4],
    ["v4u", "uint32", 4],
    ["v8u", "uint16", 8],
    ["v16u", "uint8", 16],
  ];
  for (const [id, type, count] of vectors) {
    lines.push(`    <vector id="${id}" type="${type}" count="${count}"/>`);
  }
  lines.push('    <union id="vreg">');
  lines.push('      <field name="d" type="v2d"/>');
  lines.push('      <field name="s" type="v4f"/>');
  lines.push('      <field name="ud" type="v2u"/>');
  lines.push('      <field name="us" type="v4u"/>');
  lines.push('      <field name="uh" type="v8u"/>');
  lines.push('      <field name="ub" type="v16u"/>');
  lines.push('      <field name="q" type="uint128"/>');
  lines.push("    </union>");
  for (let n = 0; n < 32; n++) {
    lines.push(reg(`v${n}`, 128, "vreg", n === 0 ? GDB_V0 : undefined, "vector"));
  }
  lines.push(reg("fpsr", 32, "int", undefined, "float"));
  lines.push(reg("fpcr", 32, "int", undefined, "float"));
  lines.push("  </feature>");
  return lines.join("\n");
}

/** The target description XML served for `qXfer:features:read:target.xml`. */
export const AARCH64_TARGET_XML: string = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
  "<target>",
  "  <architecture>aarch64</architecture>",
  coreFeature(),
  fpuFeature(),
  "</target>",
  "",
].join("\n");
