/**
 * Host-side debugging of one AArch64 vCPU ({@link VcpuDebug}): the sets of
 * breakpoints and watchpoints a GDB stub asks for, single step, and the
 * registers by GDB number. Invisible to the guest: the stops are
 * `ExitKind.Debug` exits, never guest exceptions (sys/debug.ts raises them;
 * cpu/run.ts runs the vCPU interpreted, one instruction at a time, while a
 * breakpoint or step is armed). Watchpoints stop before the access, as
 * QEMU's Arm gdbstub does; resuming at the stop PC executes that
 * instruction once without host checks.
 *
 * @module
 */
import {
  type DebugStopReason,
  type HostWatchpoint,
  type VcpuDebug,
  WatchKind,
} from "@gunyah-ts/core/plugin";
import type { Cpu } from "../cpu/cpu.ts";
import { R_SP } from "../cpu/state.ts";
import { updateDebugState } from "../sys/debug.ts";
import { HOST_WATCH_MAX } from "../sys/debug_state.ts";
import { pstateToSpsr, setElAndSpsel, SPSR_DAIF, SPSR_NZCV } from "../sys/exception.ts";
import {
  AARCH64_TARGET_XML,
  GDB_CPSR,
  GDB_FPCR,
  GDB_FPSR,
  GDB_PC,
  GDB_SP,
  GDB_V0,
  gdbRegisterBits,
} from "./gdb_registers.ts";

const M64 = (1n << 64n) - 1n;

/** Split a 64-bit VA into its halves. */
function halves(va: bigint): [number, number] {
  const v = BigInt.asUintN(64, va);
  return [Number(v & 0xffffffffn), Number(v >> 32n)];
}

/** The {@link VcpuDebug} of an {@link Aarch64Vcpu}. */
export class Aarch64VcpuDebug implements VcpuDebug {
  readonly #cpu: Cpu;

  /** Debug control of `cpu`. */
  constructor(cpu: Cpu) {
    this.#cpu = cpu;
  }

  setBreakpoints(vas: readonly bigint[]): void {
    const d = this.#cpu.sys.debug;
    const unique = [...new Set(vas.map((v) => BigInt.asUintN(64, v)))];
    const bp = new Uint32Array(2 * unique.length);
    unique.forEach((va, k) => {
      const [lo, hi] = halves(va);
      bp[2 * k] = lo;
      bp[2 * k + 1] = hi;
    });
    d.hostBp = bp;
    d.hostBpCount = unique.length;
    updateDebugState(this.#cpu);
  }

  setWatchpoints(list: readonly HostWatchpoint[]): void {
    if (list.length > HOST_WATCH_MAX) {
      throw new RangeError(`${list.length} host watchpoints: at most ${HOST_WATCH_MAX}`);
    }
    const d = this.#cpu.sys.debug;
    list.forEach((w, k) => {
      if (!(w.length >= 1) || !Number.isInteger(w.length)) {
        throw new RangeError(`watchpoint length ${w.length}: a positive integer number of bytes`);
      }
      if ((w.kind & WatchKind.Access) === 0) throw new RangeError(`watchpoint kind ${w.kind}`);
      const [lo, hi] = halves(w.va);
      d.hostWpVa[2 * k] = lo;
      d.hostWpVa[2 * k + 1] = hi;
      d.hostWpLength[k] = w.length;
      d.hostWpKind[k] = w.kind;
    });
    d.hostWpCount = list.length;
    updateDebugState(this.#cpu);
  }

  get singleStep(): boolean {
    return this.#cpu.sys.debug.hostStep;
  }

  set singleStep(on: boolean) {
    const d = this.#cpu.sys.debug;
    d.hostStep = on;
    d.hostStepDone = false;
    updateDebugState(this.#cpu);
  }

  get stopReason(): DebugStopReason {
    return this.#cpu.sys.debug.stopReason;
  }

  get stopAddress(): bigint {
    const d = this.#cpu.sys.debug;
    return (BigInt(d.stopAddrHi >>> 0) << 32n) | BigInt(d.stopAddrLo >>> 0);
  }

  readRegister(n: number): bigint | null {
    const c = this.#cpu;
    if (!Number.isInteger(n) || gdbRegisterBits(n) === 0) return null;
    if (n <= 30 || n === GDB_SP) return c.getX(n === GDB_SP ? R_SP : n);
    if (n === GDB_PC) return c.getPc();
    if (n === GDB_CPSR) return BigInt(pstateToSpsr(c));
    if (n === GDB_FPSR) return BigInt(c.fpsr >>> 0);
    if (n === GDB_FPCR) return BigInt(c.fpcr >>> 0);
    const base = (n - GDB_V0) * 4;
    let v = 0n;
    for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(c.v[base + w] >>> 0);
    return v;
  }

  writeRegister(n: number, value: bigint): boolean {
    const c = this.#cpu;
    if (!Number.isInteger(n) || gdbRegisterBits(n) === 0) return false;
    if (n <= 30 || n === GDB_SP) {
      c.setX(n === GDB_SP ? R_SP : n, value & M64);
      return true;
    }
    if (n === GDB_PC) {
      c.setPc(value);
      c.invalidateFetch();
      return true;
    }
    if (n === GDB_CPSR) return this.#writeCpsr(Number(BigInt.asUintN(32, value)));
    if (n === GDB_FPSR) {
      c.fpsr = Number(BigInt.asUintN(32, value));
      return true;
    }
    if (n === GDB_FPCR) {
      c.fpcr = Number(BigInt.asUintN(32, value));
      return true;
    }
    const base = (n - GDB_V0) * 4;
    let v = BigInt.asUintN(128, value);
    for (let w = 0; w < 4; w++) {
      c.v[base + w] = Number(v & 0xffffffffn);
      v >>= 32n;
    }
    return true;
  }

  /** cpsr in SPSR layout: EL0t, EL1t or EL1h only (this vCPU has no EL2/EL3 and no AArch32). */
  #writeCpsr(value: number): boolean {
    const c = this.#cpu;
    const m = value & 0x1f;
    if (m !== 0b00000 && m !== 0b00100 && m !== 0b00101) return false;
    c.nzcv = (value & SPSR_NZCV) >>> 0;
    c.daif = value & SPSR_DAIF;
    c.ss = (value >>> 21) & 1;
    c.il = (value >>> 20) & 1;
    setElAndSpsel(c, (m >>> 2) & 1, m & 1);
    c.invalidateFetch();
    return true;
  }

  get targetXml(): string {
    return AARCH64_TARGET_XML;
  }
}
