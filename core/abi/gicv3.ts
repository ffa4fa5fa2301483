/**
 * The GICv3 interrupt ID space (Arm IHI 0069 "GIC architecture
 * specification", §2.2 "INTIDs"), the one definition for the system: Gunyah
 * VIRQ numbers are GIC INTIDs (HYP `hyp/platform/gicv3/gicv3.tc`), the
 * platform names its devices' interrupts by INTID and the arch's vGIC
 * implements the ranges. The GIC's register map is the arch's own
 * (arch/aarch64/gic/registers.ts).
 *
 * @module
 */

/** First SGI INTID (software-generated, per PE): INTIDs 0..15. */
export const GIC_SGI_BASE = 0;
/** Number of SGIs. */
export const GIC_SGI_COUNT = 16;
/** First PPI INTID (private peripheral, per PE): PPI n is INTID 16 + n. */
export const GIC_PPI_BASE = 16;
/** First SPI INTID (shared peripheral): SPI n is INTID 32 + n; INTIDs below are private to a PE. */
export const GIC_SPI_BASE = 32;
/** Largest number of SPIs a GICv3 supports (INTIDs 32..1019), HYP `GIC_SPI_NUM`. */
export const GIC_SPI_NUM = 988;
/** First special INTID (1020..1023); never a real interrupt. */
export const GIC_INTID_SPECIAL_FIRST = 1020;
/** The spurious INTID an acknowledge returns with nothing to take. */
export const GIC_INTID_SPURIOUS = 1023;
