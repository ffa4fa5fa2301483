/**
 * The common core of the integer load/store instructions: address
 * arithmetic, base-register selection (with the SP alignment check), and the
 * transfer of one register of 1, 2, 4 or 8 bytes with the extension the
 * `opc` field asks for. Memory is reached through the MMU layer
 * (mmu/access.ts), which raises aborts (GUEST_EXCEPTION) and MMIO exits
 * (CPU_EXIT).
 *
 * Register 31 as Rt: a load discards the value (XZR), a store stores zero.
 *
 * @module
 */
import type { Cpu } from "../../cpu/cpu.ts";
import { R_DISCARD, R_SP } from "../../cpu/state.ts";
import { readMem, writeMem } from "../../mmu/access.ts";
import { checkSpAlignment } from "../../sys/exception.ts";

/** Effective address computed by {@link addressOf}: [lo, hi]. */
export const address: Uint32Array = new Uint32Array(2);

/** 2^32. */
const TWO32 = 0x100000000;

/**
 * Base register `n` (field value 0..31, 31 = SP, alignment-checked per
 * SCTLR_EL1.SA/SA0) plus a signed `offset` (|offset| < 2^52) into
 * {@link address}.
 */
export function addressOf(cpu: Cpu, n: number, offset: number): void {
  let b = n;
  if (n === 31) {
    checkSpAlignment(cpu);
    b = R_SP;
  }
  const s = cpu.xlo[b] + offset;
  address[0] = s >>> 0;
  address[1] = (cpu.xhi[b] + Math.floor(s / TWO32)) >>> 0;
}

/** Base register `n` (31 = SP, alignment-checked) plus a 64-bit offset (halves) into {@link address}. */
export function addressOf64(cpu: Cpu, n: number, offLo: number, offHi: number): void {
  let b = n;
  if (n === 31) {
    checkSpAlignment(cpu);
    b = R_SP;
  }
  const s = cpu.xlo[b] + offLo;
  address[0] = s >>> 0;
  address[1] = (cpu.xhi[b] + offHi + (s > 0xffffffff ? 1 : 0)) >>> 0;
}

/** Write `lo/hi` (64-bit) to base register `n` (31 = SP): the writeback of pre/post-indexing. */
export function writeBack(cpu: Cpu, n: number, lo: number, hi: number): void {
  const b = n === 31 ? R_SP : n;
  cpu.xlo[b] = lo;
  cpu.xhi[b] = hi;
}

/**
 * `opc` of the load/store register classes (bits 23:22): 0 store, 1 load
 * (zero-extend), 2 load signed into X (or PRFM when size = 3), 3 load signed
 * into W.
 */
export const enum LoadStoreOpc {
  Store = 0,
  Load = 1,
  LoadSigned64 = 2,
  LoadSigned32 = 3,
}

/**
 * Load `1 << size` bytes at {@link address} into Rt (`t` = field value,
 * 31 discards) with the extension of `opc` (1, 2 or 3).
 */
export function loadRegister(cpu: Cpu, t: number, size: number, opc: number, flags: number): void {
  const lo = readMem(cpu, address[0], address[1], 1 << size, flags);
  const d = t === 31 ? R_DISCARD : t;
  if (size === 3) {
    cpu.xlo[d] = lo;
    cpu.xhi[d] = cpu.memHi;
    return;
  }
  if (opc === LoadStoreOpc.Load) {
    cpu.xlo[d] = lo;
    cpu.xhi[d] = 0;
    return;
  }
  const shift = 32 - (8 << size);
  const v = shift === 0 ? lo | 0 : (lo << shift) >> shift;
  cpu.xlo[d] = v >>> 0;
  cpu.xhi[d] = opc === LoadStoreOpc.LoadSigned64 ? (v >> 31) >>> 0 : 0;
}

/** Store the low `1 << size` bytes of Rt (`t` = field value, 31 stores zero) at {@link address}. */
export function storeRegister(cpu: Cpu, t: number, size: number, flags: number): void {
  writeMem(cpu, address[0], address[1], 1 << size, cpu.xlo[t], cpu.xhi[t], flags);
}
