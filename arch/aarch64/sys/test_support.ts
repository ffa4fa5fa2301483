/**
 * Test support for the system layer: a RAM-backed Stage2View, a recording
 * MMIO bus and interrupt controller, and a minimal CPU object satisfying
 * {@link SystemCpu} (the real one is arch/aarch64/cpu/cpu.ts).
 *
 * @module
 */
import {
  ExitKind,
  type ExitRecord,
  type InterruptController,
  type MmioBus,
  MmioResult,
  S2_ACCESS_R,
  S2_ACCESS_W,
  S2_ACCESS_X,
  type Stage2Mapping,
  type Stage2View,
  type VirtualClockReader,
} from "@gunyah-ts/core/plugin";
import { CpuState } from "../cpu/state.ts";
import { SystemRegisters } from "./registers.ts";
import type { GicSysregInterface, SystemCpu } from "./system_cpu.ts";

/** A Stage2View over a list of RAM mappings. */
export class TestMemory implements Stage2View {
  readonly mappings: Stage2Mapping[] = [];
  generation = 0;

  /** Add `size` bytes of RAM at `ipaBase` with stage-2 rights `access`. */
  addRam(
    ipaBase: number,
    size: number,
    access = S2_ACCESS_R | S2_ACCESS_W | S2_ACCESS_X,
  ): Stage2Mapping {
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    const m: Stage2Mapping = {
      ipaBase,
      size,
      bytes,
      view: new DataView(bytes.buffer),
      offset: 0,
      access,
    };
    this.mappings.push(m);
    return m;
  }

  lookup(ipa: number): Stage2Mapping | null {
    for (const m of this.mappings) {
      if (ipa >= m.ipaBase && ipa < m.ipaBase + m.size) return m;
    }
    return null;
  }

  /** Write a 64-bit little-endian value at `ipa` (test setup). */
  write64(ipa: number, value: bigint): void {
    const m = this.lookup(ipa);
    if (m === null) throw new Error(`no RAM at ${ipa.toString(16)}`);
    m.view.setBigUint64(m.offset + ipa - m.ipaBase, value, true);
  }

  /** Read a 32-bit little-endian value at `ipa`. */
  read32(ipa: number): number {
    const m = this.lookup(ipa);
    if (m === null) throw new Error(`no RAM at ${ipa.toString(16)}`);
    return m.view.getUint32(m.offset + ipa - m.ipaBase, true);
  }

  /** Write a 32-bit little-endian value at `ipa`. */
  write32(ipa: number, value: number): void {
    const m = this.lookup(ipa);
    if (m === null) throw new Error(`no RAM at ${ipa.toString(16)}`);
    m.view.setUint32(m.offset + ipa - m.ipaBase, value, true);
  }
}

/** An MMIO bus with one register window that records accesses. */
export class TestBus implements MmioBus {
  dataLo = 0;
  dataHi = 0;
  /** Accesses seen: [ipa, size, write, lo, hi]. */
  readonly log: [number, number, boolean, number, number][] = [];
  /** Base/size of the claimed window. */
  constructor(readonly base = 0x0900_0000, readonly size = 0x1000, public exitRange = false) {}
  read(ipa: number, size: number, _vcpu: number): MmioResult {
    if (ipa < this.base || ipa >= this.base + this.size) return MmioResult.Unclaimed;
    if (this.exitRange) return MmioResult.Exit;
    this.log.push([ipa, size, false, 0, 0]);
    this.dataLo = 0x1234_5678;
    this.dataHi = 0x9abc_def0;
    return MmioResult.Handled;
  }
  write(ipa: number, size: number, lo: number, hi: number, _vcpu: number): MmioResult {
    if (ipa < this.base || ipa >= this.base + this.size) return MmioResult.Unclaimed;
    if (this.exitRange) return MmioResult.Exit;
    this.log.push([ipa, size, true, lo, hi]);
    return MmioResult.Handled;
  }
}

/** An interrupt controller that records line levels. */
export class TestIrq implements InterruptController {
  readonly spiCount = 32;
  /** Last level per `${virq}:${vcpu}`. */
  readonly lines = new Map<string, boolean>();
  setLine(virq: number, level: boolean, vcpuIndex = 0): void {
    this.lines.set(`${virq}:${vcpuIndex}`, level);
  }
  pulse(_virq: number, _vcpuIndex?: number): void {}
  hasPending(_vcpuIndex: number): boolean {
    return false;
  }
}

/** A settable virtual clock. */
export class TestClock implements VirtualClockReader {
  now = 0;
  nsPerInstruction = 1;
}

/** A GIC CPU interface stand-in holding ICC registers in a map. */
export class TestGic implements GicSysregInterface {
  dataLo = 0;
  dataHi = 0;
  readonly regs = new Map<number, number>();
  readSysreg(key: number): boolean {
    const v = this.regs.get(key);
    if (v === undefined) return false;
    this.dataLo = v;
    this.dataHi = 0;
    return true;
  }
  writeSysreg(key: number, lo: number, _hi: number): boolean {
    if (!this.regs.has(key)) return false;
    this.regs.set(key, lo);
    return true;
  }
}

/** A CPU object with the fields the system layer uses. */
export class TestCpu extends CpuState implements SystemCpu {
  readonly sys: SystemRegisters;
  readonly exit: ExitRecord = {
    kind: ExitKind.Budget,
    imm: 0,
    ipa: 0,
    size: 0,
    write: false,
    valueLo: 0,
    valueHi: 0,
    message: "",
  };
  gic: GicSysregInterface | null = null;
  /** Pages reported by codePageWritten. */
  readonly codeWrites: number[] = [];
  decodeFlushes = 0;

  constructor(
    readonly memory: TestMemory = new TestMemory(),
    readonly bus: TestBus = new TestBus(),
    readonly irq: TestIrq = new TestIrq(),
    readonly clock: TestClock = new TestClock(),
    index = 0,
    log?: (message: string) => void,
  ) {
    super();
    this.sys = new SystemRegisters(
      {
        index,
        mpidr: index,
        memory,
        mmio: bus,
        irq,
        clock,
        wake: () => {},
        log,
      },
      undefined,
      this.stateMemory.buffer,
    );
  }
  codePageWritten(ipaPage: number): void {
    this.codeWrites.push(ipaPage);
  }
  flushDecodeCache(): void {
    this.decodeFlushes++;
  }
  /** Count of invalidateFetch calls. */
  fetchInvalidations = 0;
  invalidateFetch(): void {
    this.fetchInvalidations++;
  }
  changedEl(): void {
    this.fetchInvalidations++;
  }
  /** Set by branchTo (the run loop would then not advance PC). */
  branched = false;
  branchTo(lo: number, hi: number): void {
    this.pcLo = lo >>> 0;
    this.pcHi = hi >>> 0;
    this.branched = true;
  }
  clearExclusive(): void {
    this.exclusiveArmed = false;
  }
}

/** Call `fn` and return what it threw (undefined if nothing). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
