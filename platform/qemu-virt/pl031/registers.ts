/**
 * PL031 real-time clock register map.
 *
 * Source: Arm PrimeCell Real Time Clock (PL031) Technical Reference Manual,
 * DDI 0224C, chapter 3 "Programmers Model" (Table 3-1, §3.3), and QEMU
 * `hw/rtc/pl031.c` (`pl031_id`).
 *
 * @module
 */

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
/** First of the eight PrimeCell identification registers. */
export const RTC_ID_BASE = 0xfe0;

/** The single interrupt bit of IMSC/RIS/MIS/ICR. */
export const RTC_INT = 1;
/** RTCCR.RTCstart. */
export const RTCCR_START = 1;

/** RTCPeriphID0..3 (part 0x031, designer Arm, revision 1) then RTCPCellID0..3. */
export const PL031_ID: readonly number[] = Object.freeze([
  0x31,
  0x10,
  0x14,
  0x00,
  0x0d,
  0xf0,
  0x05,
  0xb1,
]);

/** Nanoseconds per RTC tick (the PL031 counts seconds at 1 Hz from CLK1HZ). */
export const NS_PER_SECOND = 1_000_000_000;
