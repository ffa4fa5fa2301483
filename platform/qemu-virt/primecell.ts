/**
 * What the Arm PrimeCell peripherals of the virt machine (the PL011 UART and
 * the PL031 RTC) have in common: a 4 KiB block of word registers ending in
 * the eight PrimeCell identification registers, and one level interrupt
 * output.
 *
 * Identification layout, from the PrimeCell TRMs (PL011 DDI 0183G
 * §3.3.15-§3.3.22, PL031 DDI 0224C §3.3.9-§3.3.16): PeriphID0..3 and
 * PCellID0..3 sit at 0xFE0..0xFFC, each holding one byte in bits [7:0] of its
 * word.
 * - PeriphID0 = PartNumber[7:0]
 * - PeriphID1 = Designer[3:0] << 4 | PartNumber[11:8]
 * - PeriphID2 = Revision << 4 | Designer[7:4]
 * - PeriphID3 = Configuration
 * - PCellID0..3 = 0x0D, 0xF0, 0x05, 0xB1 (the same for every PrimeCell)
 *
 * {@link PrimeCellDevice} serves the register block: reads of the ID window,
 * sub-word reads (the addressed bytes of the register word) and the
 * interrupt line; a device supplies its register file and its write policy.
 * The access path allocates nothing.
 *
 * @example
 * ```ts
 * import { primeCellIdRegisters } from "./primecell.ts";
 * // The PL011's identification registers (part 0x011, designed by Arm, r1).
 * const ids = primeCellIdRegisters({ part: 0x011, designer: 0x41, revision: 1, configuration: 0 });
 * ```
 *
 * @module
 */
import {
  type Device,
  type DeviceHost,
  type MmioData,
  type MmioRegion,
  MmioResult,
} from "@gunyah-ts/core/plugin";

/** Size of a PrimeCell register block (4 KiB). */
export const PRIMECELL_BLOCK_SIZE = 0x1000;
/** Offset of PeriphID0, the first of the eight identification registers (PrimeCell TRMs). */
export const PRIMECELL_ID_OFFSET = 0xfe0;
/** PCellID0..3: the PrimeCell component identification 0xB105F00D, one byte per register. */
export const PRIMECELL_CELL_ID: readonly number[] = Object.freeze([0x0d, 0xf0, 0x05, 0xb1]);
/** Designer code of Arm in PeriphID1/PeriphID2: 0x41, ASCII "A" (PrimeCell TRMs). */
export const PRIMECELL_DESIGNER_ARM = 0x41;

/** The fields of PeriphID0..3. */
export interface PrimeCellPeriphId {
  /** 12-bit part number (0x011 for the PL011). */
  readonly part: number;
  /** 8-bit designer code ({@link PRIMECELL_DESIGNER_ARM}). */
  readonly designer: number;
  /** 4-bit revision. */
  readonly revision: number;
  /** 8-bit configuration. */
  readonly configuration: number;
}

/** The eight identification register values PeriphID0..3, PCellID0..3 for `id`. */
export function primeCellIdRegisters(id: PrimeCellPeriphId): readonly number[] {
  const { part, designer, revision, configuration } = id;
  if (
    !Number.isInteger(part) || part < 0 || part > 0xfff ||
    !Number.isInteger(designer) || designer < 0 || designer > 0xff ||
    !Number.isInteger(revision) || revision < 0 || revision > 0xf ||
    !Number.isInteger(configuration) || configuration < 0 || configuration > 0xff
  ) {
    throw new RangeError(
      `PrimeCell ID fields out of range: part ${part} (12 bits), designer ${designer} (8 bits), ` +
        `revision ${revision} (4 bits), configuration ${configuration} (8 bits)`,
    );
  }
  return Object.freeze([
    part & 0xff,
    ((designer & 0xf) << 4) | (part >> 8),
    (revision << 4) | (designer >> 4),
    configuration,
    ...PRIMECELL_CELL_ID,
  ]);
}

/**
 * A PrimeCell peripheral: one {@link PRIMECELL_BLOCK_SIZE} MMIO region and one
 * level interrupt line. Subclasses implement the register file
 * ({@link PrimeCellDevice.readRegister}) and their write policy
 * ({@link PrimeCellDevice.mmioWrite}), and drive the line through
 * {@link PrimeCellDevice.setIrqLevel}.
 */
export abstract class PrimeCellDevice implements Device {
  /** Device name. */
  abstract readonly name: string;
  /** The one 4 KiB register block. */
  readonly regions: readonly MmioRegion[];
  /** GIC INTID of the interrupt output. */
  readonly intid: number;
  /** Level currently driven on the interrupt line. */
  private irqLevel = false;

  /**
   * Place the block at `base` with interrupt `intid`; `idRegisters` are the
   * eight values from {@link primeCellIdRegisters}. The device reaches the VM
   * only through `host`.
   */
  protected constructor(
    protected readonly host: DeviceHost,
    base: number,
    intid: number,
    private readonly idRegisters: readonly number[],
  ) {
    this.intid = intid;
    // Bound once here; the access path itself creates nothing.
    this.regions = [{
      base,
      size: PRIMECELL_BLOCK_SIZE,
      read: (offset: number, size: number, _vcpu: number, out: MmioData): MmioResult =>
        this.mmioRead(offset, size, out),
      write: (offset: number, size: number, lo: number, _hi: number, _vcpu: number): MmioResult =>
        this.mmioWrite(offset, size, lo),
    }];
  }

  /** Reset to power-on state. */
  abstract reset(): void;

  /** Snapshot for the dashboard. */
  abstract describe(): Record<string, string | number | boolean>;

  /** Whether the interrupt line is asserted. */
  protected get irqAsserted(): boolean {
    return this.irqLevel;
  }

  /** Value of the register at word offset `reg` (below the ID window). */
  protected abstract readRegister(reg: number): number;

  /** A guest write of `size` bytes of `lo` at `offset`. */
  protected abstract mmioWrite(offset: number, size: number, lo: number): MmioResult;

  /** Drive the interrupt line to `level` (the host hears only changes). */
  protected setIrqLevel(level: boolean): void {
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.host.setIrq(this.intid, level);
    }
  }

  /** Lower the interrupt line and tell the host so, whatever it was (for reset). */
  protected lowerIrq(): void {
    this.irqLevel = false;
    this.host.setIrq(this.intid, false);
  }

  /** Register read at `offset` (sub-word reads see the addressed bytes). */
  private mmioRead(offset: number, size: number, out: MmioData): MmioResult {
    out.hi = 0;
    if (offset >= PRIMECELL_ID_OFFSET && offset < PRIMECELL_BLOCK_SIZE) {
      out.lo = (offset & 3) === 0 ? this.idRegisters[(offset - PRIMECELL_ID_OFFSET) >> 2] : 0;
      return MmioResult.Handled;
    }
    const value = this.readRegister(offset & ~3) >>> ((offset & 3) * 8);
    out.lo = size >= 4 ? value >>> 0 : value & ((1 << (size * 8)) - 1);
    return MmioResult.Handled;
  }
}
