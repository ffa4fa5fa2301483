/**
 * PL031 real-time clock register map.
 *
 * Source: Arm PrimeCell Real Time Clock (PL031) Technical Reference Manual,
 * DDI 0224C, chapter 3 "Programmers Model" (Table 3-1, §3.3), and QEMU
 * `hw/rtc/pl031.c` (`pl031_id`).
 *
 * @module
 */

import { PRIMECELL_DESIGNER_ARM, primeCellIdRegisters } from "../primecell.ts";

/** Data register: the current count in seconds (read-only). */
export const RTCDR = 0x00;
/** Match register: RTCINTR is raised when the count equals it. */
export const RTCMR = 0x04;
/** Load register: writing sets the count. */
export const RTCLR = 0x08;
/** Control register: bit 0 RTC start. */
export const RTCCR = 0x0c;
/** Interrupt mask set/clear (bit 0). */
export const RTCIMSC = 0x10;
/** Raw interrupt status (bit 0). */
export const RTCRIS = 0x14;
/** Masked interrupt status (bit 0). */
export const RTCMIS = 0x18;
/** Interrupt clear (write-only, bit 0). */
export const RTCICR = 0x1c;

/** The single interrupt bit of IMSC/RIS/MIS/ICR. */
export const RTC_INT = 1;
/** RTCCR.RTCstart. */
export const RTCCR_START = 1;

/** RTCPeriphID0..3 (part 0x031, designer Arm, revision 1, as QEMU's `pl031_id`) then RTCPCellID0..3. */
export const PL031_ID: readonly number[] = primeCellIdRegisters({
  part: 0x031,
  designer: PRIMECELL_DESIGNER_ARM,
  revision: 1,
  configuration: 0,
});

/** Nanoseconds per RTC tick (the PL031 counts seconds at 1 Hz from CLK1HZ). */
export const NS_PER_SECOND = 1_000_000_000;
