/**
 * Load/store pair of general registers: LDP, STP, LDPSW with signed offset,
 * pre- and post-index, and the non-temporal LDNP/STNP. Arm ARM C4.1.94
 * "Load/store register pair (offset)", "(pre-indexed)", "(post-indexed)",
 * "Load/store no-allocate pair (offset)". SIMD&FP pairs (V = 1) belong to
 * isa/simd; STGP (opc = 01, L = 0) needs FEAT_MTE, which is not advertised.
 *
 * Both values are read before either register is written, so a fault on the
 * second access leaves both registers unchanged. CONSTRAINED UNPREDICTABLE
 * cases, resolved as QEMU does: LDP with Rt == Rt2 leaves the second value;
 * writeback with Rn == Rt or Rt2 (Rn != SP) leaves the address in Rn for
 * loads and stores the registers' values from before the writeback.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import { R_DISCARD } from "../../cpu/state.ts";
import type { EncodingEntry } from "../../decode/entry.ts";
import { unallocatedEncoding } from "../../decode/unallocated.ts";
import { readMem, writeMem } from "../../mmu/access.ts";
import { address, addressOf, writeBack } from "./transfer.ts";

/** Bits 24:23: addressing of the pair classes. */
const enum PairMode {
  NoAllocate = 0,
  PostIndex = 1,
  Offset = 2,
  PreIndex = 3,
}

function loadStorePair(cpu: Cpu, insn: number): void {
  const opc = insn >>> 30;
  const load = (insn & (1 << 22)) !== 0;
  const mode = (insn >>> 23) & 3;
  if (opc === 3 || (opc === 1 && (!load || mode === PairMode.NoAllocate))) {
    unallocatedEncoding(cpu, insn);
  }
  const wide = opc === 2;
  const bytes = wide ? 8 : 4;
  const t = insn & 31, t2 = (insn >>> 10) & 31, n = (insn >>> 5) & 31;
  const offset = ((insn << 10) >> 25) * bytes;
  addressOf(cpu, n, mode === PairMode.PostIndex ? 0 : offset);
  const aLo = address[0], aHi = address[1];
  const bLo = (aLo + bytes) >>> 0, bHi = (aHi + (aLo + bytes > 0xffffffff ? 1 : 0)) >>> 0;
  if (load) {
    const lo1 = readMem(cpu, aLo, aHi, bytes, 0);
    const hi1 = wide ? cpu.memHi : 0;
    const lo2 = readMem(cpu, bLo, bHi, bytes, 0);
    const hi2 = wide ? cpu.memHi : 0;
    const d = t === 31 ? R_DISCARD : t, d2 = t2 === 31 ? R_DISCARD : t2;
    if (opc === 1) { // LDPSW
      cpu.xlo[d] = lo1;
      cpu.xhi[d] = (lo1 | 0) >> 31 >>> 0;
      cpu.xlo[d2] = lo2;
      cpu.xhi[d2] = (lo2 | 0) >> 31 >>> 0;
    } else {
      cpu.xlo[d] = lo1;
      cpu.xhi[d] = hi1;
      cpu.xlo[d2] = lo2;
      cpu.xhi[d2] = hi2;
    }
  } else {
    const lo1 = cpu.xlo[t], hi1 = cpu.xhi[t], lo2 = cpu.xlo[t2], hi2 = cpu.xhi[t2];
    writeMem(cpu, aLo, aHi, bytes, lo1, hi1, 0);
    writeMem(cpu, bLo, bHi, bytes, lo2, hi2, 0);
  }
  if (mode === PairMode.PreIndex) writeBack(cpu, n, aLo, aHi);
  else if (mode === PairMode.PostIndex) {
    const s = aLo + offset;
    writeBack(cpu, n, s >>> 0, (aHi + Math.floor(s / 0x100000000)) >>> 0);
  }
}

/** Encoding table of the pair classes (V = 0). */
export const entries: EncodingEntry[] = [
  //          opc     V    mode L imm7    Rt2   Rn    Rt
  {
    pattern: "xx  101 0 0  xx   x xxxxxxx xxxxx xxxxx xxxxx",
    name: "LDP/STP/LDPSW/LDNP/STNP",
    exec: loadStorePair,
  },
];
