/**
 * Test fixtures for CPU-level tests: a small RAM stage-2 view, an MMIO bus
 * that records accesses, an interrupt controller stub with settable pending
 * state, and a {@link VcpuInit} built from them.
 *
 * @module
 */
import {
  type InterruptController,
  type MmioBus,
  MmioResult,
  S2_ACCESS_R,
  S2_ACCESS_W,
  S2_ACCESS_X,
  type Stage2Mapping,
  type Stage2View,
  type VcpuInit,
} from "@gunyah-ts/core/plugin";

/** A one-mapping stage-2 view over fresh (non-shared) memory. */
export class TestRam implements Stage2View {
  readonly mapping: Stage2Mapping;
  generation = 0;
  constructor(readonly base: number, readonly size: number) {
    // A shared WebAssembly memory, as core/memory's regions are, so that
    // translated WebAssembly blocks take their inline fast path here too.
    const pages = Math.ceil(size / 65536);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const bytes = new Uint8Array(memory.buffer, 0, size);
    this.mapping = {
      ipaBase: base,
      size,
      bytes,
      view: new DataView(memory.buffer),
      offset: 0,
      access: S2_ACCESS_R | S2_ACCESS_W | S2_ACCESS_X,
      memory,
    };
  }
  lookup(ipa: number): Stage2Mapping | null {
    return ipa >= this.base && ipa < this.base + this.size ? this.mapping : null;
  }
  /** Write 32-bit little-endian words at `ipa`. */
  writeWords(ipa: number, words: readonly number[]): void {
    for (let i = 0; i < words.length; i++) {
      this.mapping.view.setUint32(ipa - this.base + i * 4, words[i] >>> 0, true);
    }
  }
  /** Read a 32-bit little-endian word. */
  readWord(ipa: number): number {
    return this.mapping.view.getUint32(ipa - this.base, true);
  }
  /** Read a 64-bit little-endian value. */
  readU64(ipa: number): bigint {
    return this.mapping.view.getBigUint64(ipa - this.base, true);
  }
  /** Write a 64-bit little-endian value. */
  writeU64(ipa: number, v: bigint): void {
    this.mapping.view.setBigUint64(ipa - this.base, BigInt.asUintN(64, v), true);
  }
}

/** One recorded MMIO access. */
export interface MmioAccess {
  readonly write: boolean;
  readonly ipa: number;
  readonly size: number;
  readonly lo: number;
  readonly hi: number;
}

/** An MMIO bus that answers reads with `readLo/readHi` and records accesses. */
export class TestMmio implements MmioBus {
  dataLo = 0;
  dataHi = 0;
  readLo = 0;
  readHi = 0;
  answer: MmioResult = MmioResult.Handled;
  readonly log: MmioAccess[] = [];
  read(ipa: number, size: number): MmioResult {
    this.log.push({ write: false, ipa, size, lo: 0, hi: 0 });
    this.dataLo = this.readLo;
    this.dataHi = this.readHi;
    return this.answer;
  }
  write(ipa: number, size: number, lo: number, hi: number): MmioResult {
    this.log.push({ write: true, ipa, size, lo, hi });
    return this.answer;
  }
}

/** An interrupt controller stub: `pending` decides `hasPending`. */
export class TestIrq implements InterruptController {
  readonly spiCount = 32;
  pending = false;
  setLine(): void {}
  pulse(): void {}
  hasPending(): boolean {
    return this.pending;
  }
}

/** A VcpuInit over the given fixtures; `logs` collects `init.log` output. */
export function testInit(
  ram: TestRam,
  opts: { index?: number; mmio?: TestMmio; irq?: TestIrq; logs?: string[] } = {},
): VcpuInit {
  const logs = opts.logs;
  return {
    index: opts.index ?? 0,
    mpidr: opts.index ?? 0,
    memory: ram,
    mmio: opts.mmio ?? new TestMmio(),
    irq: opts.irq ?? new TestIrq(),
    clock: { now: 0, nsPerInstruction: 1 },
    wake: () => {},
    log: logs ? (m: string) => logs.push(m) : undefined,
  };
}
