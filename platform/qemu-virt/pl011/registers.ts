/**
 * PL011 UART register map and bit fields.
 *
 * Source: Arm PrimeCell UART (PL011) Technical Reference Manual, DDI 0183G,
 * chapter 3 "Programmers Model" (Table 3-1 register summary, §3.3.1-§3.3.14,
 * §3.4 interrupts), and QEMU `hw/char/pl011.c` for the values QEMU's model
 * resets to.
 *
 * @module
 */

import { PRIMECELL_DESIGNER_ARM, primeCellIdRegisters } from "../primecell.ts";

/** Register offsets (DDI 0183G Table 3-1). */
export const UARTDR = 0x000;
export const UARTRSR = 0x004; // read: receive status; write: UARTECR (error clear)
export const UARTFR = 0x018;
export const UARTILPR = 0x020;
export const UARTIBRD = 0x024;
export const UARTFBRD = 0x028;
export const UARTLCR_H = 0x02c;
export const UARTCR = 0x030;
export const UARTIFLS = 0x034;
export const UARTIMSC = 0x038;
export const UARTRIS = 0x03c;
export const UARTMIS = 0x040;
export const UARTICR = 0x044;
export const UARTDMACR = 0x048;

/** UARTDR receive error bits (§3.3.1): framing, parity, break, overrun. */
export const DR_FE = 1 << 8;
export const DR_PE = 1 << 9;
export const DR_BE = 1 << 10;
export const DR_OE = 1 << 11;
/** The four error bits of UARTRSR (§3.3.2), i.e. UARTDR[11:8] >> 8. */
export const RSR_MASK = 0xf;
export const RSR_OE = 1 << 3;

/** UARTFR flag bits (§3.3.3). */
export const FR_CTS = 1 << 0;
export const FR_DSR = 1 << 1;
export const FR_DCD = 1 << 2;
export const FR_BUSY = 1 << 3;
export const FR_RXFE = 1 << 4;
export const FR_TXFF = 1 << 5;
export const FR_RXFF = 1 << 6;
export const FR_TXFE = 1 << 7;
export const FR_RI = 1 << 8;

/** UARTLCR_H bits (§3.3.7). */
export const LCR_H_BRK = 1 << 0;
export const LCR_H_FEN = 1 << 4;
export const LCR_H_MASK = 0xff;

/** UARTCR bits (§3.3.8). */
export const CR_UARTEN = 1 << 0;
export const CR_LBE = 1 << 7;
export const CR_TXE = 1 << 8;
export const CR_RXE = 1 << 9;
export const CR_DTR = 1 << 10;
export const CR_RTS = 1 << 11;
export const CR_OUT1 = 1 << 12;
export const CR_OUT2 = 1 << 13;
export const CR_MASK = 0xffff;

/** Field widths of the other writable registers (§3.3.4-§3.3.6, §3.3.9, §3.3.10, §3.3.14). */
export const ILPR_MASK = 0xff;
export const IBRD_MASK = 0xffff;
export const FBRD_MASK = 0x3f;
export const IFLS_MASK = 0x3f;
export const DMACR_MASK = 0x7;
/** UARTDMACR RXDMAE | TXDMAE: DMA requests, which this model does not implement. */
export const DMACR_DMAE = 0x3;

/** Interrupt bits shared by UARTIMSC/RIS/MIS/ICR (§3.3.10-§3.3.13). */
export const INT_RI = 1 << 0;
export const INT_CTS = 1 << 1;
export const INT_DCD = 1 << 2;
export const INT_DSR = 1 << 3;
export const INT_RX = 1 << 4;
export const INT_TX = 1 << 5;
export const INT_RT = 1 << 6;
export const INT_FE = 1 << 7;
export const INT_PE = 1 << 8;
export const INT_BE = 1 << 9;
export const INT_OE = 1 << 10;
/** Modem-status interrupts (RIMIS..DSRMIS). */
export const INT_MS = INT_RI | INT_CTS | INT_DCD | INT_DSR;
export const INT_MASK = 0x7ff;

/** Reset values (DDI 0183G Table 3-1; QEMU `pl011_reset`): CR = TXE | RXE, IFLS = 1/2 full both ways. */
export const CR_RESET = CR_TXE | CR_RXE;
export const IFLS_RESET = 0x12;

/**
 * PrimeCell identification registers UARTPeriphID0..3, UARTPCellID0..3 at
 * 0xFE0..0xFFC: part number 0x011, designer Arm, revision 1 (the values QEMU's
 * `pl011_id_arm` reports; DDI 0183G §3.3.15-§3.3.22).
 */
export const PL011_ID: readonly number[] = primeCellIdRegisters({
  part: 0x011,
  designer: PRIMECELL_DESIGNER_ARM,
  revision: 1,
  configuration: 0,
});

/** RX FIFO depth with FEN set (QEMU `PL011_FIFO_DEPTH`; PL011 r1p5 has 16-entry FIFOs). */
export const PL011_FIFO_DEPTH = 16;
