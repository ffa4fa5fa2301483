/**
 * GICv3 register map: distributor (GICD_*) and redistributor (GICR_*) offsets
 * and fields, the identification values this model reports, and the INTID
 * ranges.
 *
 * Source: Arm "Generic Interrupt Controller Architecture Specification, GIC
 * architecture version 3 and version 4" (IHI 0069), chapter 12 (register
 * descriptions); the ID register values are the ones QEMU's TCG GICv3 reports
 * (hw/intc/gicv3_internal.h, `gicv3_idreg` / `gicv3_iidr`), so a guest sees the
 * same controller it sees under `qemu-system-aarch64 -M virt,gic-version=3`.
 *
 * @module
 */

// ---------------------------------------------------------------------------
// INTID ranges (IHI 0069 §2.2, "INTIDs")
// ---------------------------------------------------------------------------

// The INTID space itself is defined once, in @gunyah-ts/core/abi (gicv3.ts).
export {
  GIC_INTID_SPECIAL_FIRST,
  GIC_INTID_SPURIOUS,
  GIC_SGI_COUNT,
  GIC_SPI_BASE,
  GIC_SPI_NUM,
} from "@gunyah-ts/core/abi";

// ---------------------------------------------------------------------------
// Frame sizes (IHI 0069 §12.10, §8.13; platform-facts.md)
// ---------------------------------------------------------------------------

/** Size of the distributor frame (64 KiB). */
export const GICD_SIZE = 0x10000;
/** Size of one redistributor frame (RD_base or SGI_base, 64 KiB each). */
export const GICR_FRAME_SIZE = 0x10000;
/** Stride between redistributors of consecutive PEs (RD_base + SGI_base). */
export const GICR_STRIDE = 0x20000;
/** Offset of the SGI_base frame within a redistributor. */
export const GICR_SGI_BASE = 0x10000;

// ---------------------------------------------------------------------------
// Distributor registers (IHI 0069 §12.9, Table 12-25)
// ---------------------------------------------------------------------------

export const GICD_CTLR = 0x0000;
export const GICD_TYPER = 0x0004;
export const GICD_IIDR = 0x0008;
export const GICD_TYPER2 = 0x000c;
export const GICD_STATUSR = 0x0010;
export const GICD_IGROUPR = 0x0080;
export const GICD_ISENABLER = 0x0100;
export const GICD_ICENABLER = 0x0180;
export const GICD_ISPENDR = 0x0200;
export const GICD_ICPENDR = 0x0280;
export const GICD_ISACTIVER = 0x0300;
export const GICD_ICACTIVER = 0x0380;
/** GICD_IPRIORITYR<n>: one byte per INTID, 0x400 .. 0x7FB. */
export const GICD_IPRIORITYR = 0x0400;
/** GICD_ICFGR<n>: two bits per INTID, 0xC00 .. 0xCFF. */
export const GICD_ICFGR = 0x0c00;
export const GICD_IGRPMODR = 0x0d00;
export const GICD_NSACR = 0x0e00;
/** GICD_IROUTER<n>: 64 bits per SPI at 0x6000 + 8n (n = 32 .. 1019). */
export const GICD_IROUTER = 0x6000;
/** End (exclusive) of the GICD_IROUTER array. */
export const GICD_IROUTER_END = 0x6000 + 8 * 1020;

/** GICD_CTLR.EnableGrp0 (single Security state view, DS = 1). */
export const GICD_CTLR_ENABLE_GRP0 = 1 << 0;
/** GICD_CTLR.EnableGrp1 (single Security state view, DS = 1). */
export const GICD_CTLR_ENABLE_GRP1 = 1 << 1;
/** GICD_CTLR.ARE: affinity routing enabled (RAO/WI here). */
export const GICD_CTLR_ARE = 1 << 4;
/** GICD_CTLR.DS: Disable Security (RAO/WI here: one Security state). */
export const GICD_CTLR_DS = 1 << 6;
/** GICD_CTLR.E1NWF: 1-of-N wakeup functionality (RAZ/WI here). */
export const GICD_CTLR_E1NWF = 1 << 7;
/** GICD_CTLR.RWP: register write pending (always 0: writes take effect at once). */
export const GICD_CTLR_RWP = 1 << 31;

/** GICD_TYPER.ITLinesNumber field shift (bits 4:0). */
export const GICD_TYPER_ITLINES_SHIFT = 0;
/** GICD_TYPER.CPUNumber field shift (bits 7:5). */
export const GICD_TYPER_CPUNUMBER_SHIFT = 5;
/** GICD_TYPER.IDbits field shift (bits 23:19): INTID bits minus one. */
export const GICD_TYPER_IDBITS_SHIFT = 19;
/** GICD_TYPER.A3V: Aff3 supported. */
export const GICD_TYPER_A3V = 1 << 24;
/** GICD_TYPER.No1N: 1 = 1-of-N SPI routing NOT supported (0 here: IRM = 1 works). */
export const GICD_TYPER_NO1N = 1 << 25;

/** GICD_IROUTER.IRM (bit 31): route to any participating PE. */
export const GICD_IROUTER_IRM = 1 << 31;
/** Writable bits of the low word of GICD_IROUTER: IRM and Aff2.Aff1.Aff0. */
export const GICD_IROUTER_LO_MASK = 0x80ffffff;
/** Writable bits of the high word of GICD_IROUTER: Aff3. */
export const GICD_IROUTER_HI_MASK = 0xff;

// ---------------------------------------------------------------------------
// Redistributor registers (IHI 0069 §12.10/§12.11, Tables 12-27 and 12-28)
// ---------------------------------------------------------------------------

/** RD_base frame. */
export const GICR_CTLR = 0x0000;
export const GICR_IIDR = 0x0004;
/** 64-bit. */
export const GICR_TYPER = 0x0008;
export const GICR_STATUSR = 0x0010;
export const GICR_WAKER = 0x0014;

/** GICR_TYPER.Last (bit 4): the last redistributor in the region. */
export const GICR_TYPER_LAST = 1 << 4;
/** GICR_TYPER.Processor_Number field shift (bits 23:8). */
export const GICR_TYPER_PROCNUM_SHIFT = 8;

/** GICR_WAKER.ProcessorSleep (bit 1). */
export const GICR_WAKER_PROCESSOR_SLEEP = 1 << 1;
/** GICR_WAKER.ChildrenAsleep (bit 2, read-only). */
export const GICR_WAKER_CHILDREN_ASLEEP = 1 << 2;

/** SGI_base frame offsets (relative to SGI_base). */
export const GICR_IGROUPR0 = 0x0080;
export const GICR_ISENABLER0 = 0x0100;
export const GICR_ICENABLER0 = 0x0180;
export const GICR_ISPENDR0 = 0x0200;
export const GICR_ICPENDR0 = 0x0280;
export const GICR_ISACTIVER0 = 0x0300;
export const GICR_ICACTIVER0 = 0x0380;
/** GICR_IPRIORITYR0..7: bytes for INTIDs 0..31. */
export const GICR_IPRIORITYR0 = 0x0400;
export const GICR_ICFGR0 = 0x0c00;
export const GICR_ICFGR1 = 0x0c04;
export const GICR_IGRPMODR0 = 0x0d00;
export const GICR_NSACR = 0x0e00;

// ---------------------------------------------------------------------------
// Identification (IHI 0069 §12.1.13 "Identification registers"; values as QEMU)
// ---------------------------------------------------------------------------

/** First identification register offset (GICD_PIDR4 / GICR_PIDR4). */
export const GIC_IDREGS_BASE = 0xffd0;
/** GICD_PIDR2 / GICR_PIDR2 offset: ArchRev in bits 7:4. */
export const GIC_PIDR2 = 0xffe8;
/** ArchRev value for GICv3 in PIDR2 bits 7:4. */
export const GIC_PIDR2_ARCHREV_GICV3 = 0x3;

/**
 * PIDR4..7, PIDR0..3, CIDR0..3 (offsets 0xFFD0..0xFFFC, one byte each in a
 * word). PIDR0 differs between distributor (0x92) and redistributor (0x93).
 */
export const GICD_IDREGS: readonly number[] = [
  0x44,
  0x00,
  0x00,
  0x00,
  0x92,
  0xb4,
  0x3b,
  0x00,
  0x0d,
  0xf0,
  0x05,
  0xb1,
];
/** Identification register bytes of a redistributor (see {@link GICD_IDREGS}). */
export const GICR_IDREGS: readonly number[] = [
  0x44,
  0x00,
  0x00,
  0x00,
  0x93,
  0xb4,
  0x3b,
  0x00,
  0x0d,
  0xf0,
  0x05,
  0xb1,
];

/** GICD_IIDR / GICR_IIDR: implementer Arm (JEP106 0x43B), r0p0, ProductID 0, as QEMU. */
export const GIC_IIDR = 0x0000043b;

// ---------------------------------------------------------------------------
// Implemented priority and INTID widths
// ---------------------------------------------------------------------------

/**
 * Implemented priority bits (ICC_CTLR_EL1.PRIbits + 1). Five, as QEMU's
 * emulated GICv3 CPU interface (`pribits`/`prebits` default 5): the low three
 * bits of every priority value read as zero.
 */
export const PRIORITY_BITS = 5;
/** Mask of the implemented priority bits (0xF8 for five bits). */
export const PRIORITY_MASK = (0xff << (8 - PRIORITY_BITS)) & 0xff;
/** Preemption bits (ICH_VTR-style PREbits); equal to {@link PRIORITY_BITS}. */
export const PREEMPTION_BITS = 5;
/** Minimum ICC_BPR0_EL1 value: 7 - PREbits (IHI 0069 §12.2.2). */
export const BPR0_MIN = 7 - PREEMPTION_BITS;
/** Minimum ICC_BPR1_EL1 value: BPR0_MIN + 1 (IHI 0069 §12.2.3). */
export const BPR1_MIN = BPR0_MIN + 1;
/** INTID width reported in GICD_TYPER.IDbits / ICC_CTLR_EL1.IDbits: 16 bits. */
export const INTID_BITS = 16;
/** Idle priority: the running priority when nothing is active. */
export const PRIORITY_IDLE = 0xff;
