/**
 * Arm PrimeCell PL011 UART, modelled the way QEMU's `hw/char/pl011.c` models
 * it (so console behaviour matches `qemu-system-aarch64 -M virt`), with the
 * register semantics of the PL011 TRM (DDI 0183G).
 *
 * - Transmit completes at once: a write to UARTDR hands the byte to the
 *   output sink; the TX FIFO is therefore always empty (FR.TXFE = 1,
 *   FR.TXFF = FR.BUSY = 0) and TXIS is raised by every write, since the FIFO
 *   level falls through any UARTIFLS.TXIFLSEL trigger level.
 * - Receive goes through a FIFO of {@link PL011_FIFO_DEPTH} entries when
 *   LCR_H.FEN is set, otherwise a 1-entry holding register; toggling FEN
 *   empties it (QEMU, and the TRM's FIFO flush). As in QEMU the receive
 *   interrupt RXIS is raised as soon as one character is waiting (QEMU pins
 *   the RX trigger level to 1 because Linux reads the FIFO only from the
 *   interrupt) and cleared when the FIFO is drained; the receive-timeout
 *   interrupt RTIS is therefore never needed and never raised.
 * - Host input ({@link Pl011.pushInput}) beyond what the FIFO holds waits in
 *   a host-side queue and moves into the FIFO as the guest reads: nothing is
 *   lost, exactly as QEMU's character backend waits on `can_receive`.
 * - CR.LBE loops transmitted bytes back into the receive FIFO (overrun sets
 *   OE/OEIS when it is full) and mirrors the modem outputs onto the modem
 *   status flags (RTS->CTS, DTR->DSR, Out1->DCD, Out2->RI), as QEMU does.
 * - The interrupt output (UARTINTR, the OR of UARTMIS) drives one level
 *   line through `host.setIrq`, re-evaluated after every change.
 *
 * The identification registers, sub-word reads and the interrupt line are
 * the shared {@link PrimeCellDevice}'s. Register accesses allocate nothing.
 *
 * @example
 * ```ts
 * import { Pl011 } from "./pl011.ts";
 * import { FakeDeviceHost } from "../testing/fake_host.ts";
 * const uart = new Pl011(new FakeDeviceHost());
 * uart.setOutput((byte) => console.log(byte));
 * uart.pushInput("ls\n");
 * ```
 *
 * @module
 */
import { type DeviceHost, MmioResult } from "@gunyah-ts/core/plugin";
import { VIRT_UART_BASE, VIRT_UART_INTID } from "../memory_map.ts";
import { PrimeCellDevice } from "../primecell.ts";
import {
  CR_DTR,
  CR_LBE,
  CR_MASK,
  CR_OUT1,
  CR_OUT2,
  CR_RESET,
  CR_RTS,
  DMACR_DMAE,
  DMACR_MASK,
  DR_BE,
  DR_FE,
  DR_OE,
  DR_PE,
  FBRD_MASK,
  FR_CTS,
  FR_DCD,
  FR_DSR,
  FR_RI,
  FR_RXFE,
  FR_RXFF,
  FR_TXFE,
  IBRD_MASK,
  IFLS_MASK,
  IFLS_RESET,
  ILPR_MASK,
  INT_BE,
  INT_CTS,
  INT_DCD,
  INT_DSR,
  INT_FE,
  INT_MASK,
  INT_MS,
  INT_OE,
  INT_PE,
  INT_RI,
  INT_RX,
  INT_TX,
  LCR_H_BRK,
  LCR_H_FEN,
  LCR_H_MASK,
  PL011_FIFO_DEPTH,
  PL011_ID,
  RSR_MASK,
  RSR_OE,
  UARTCR,
  UARTDMACR,
  UARTDR,
  UARTFBRD,
  UARTFR,
  UARTIBRD,
  UARTICR,
  UARTIFLS,
  UARTILPR,
  UARTIMSC,
  UARTLCR_H,
  UARTMIS,
  UARTRIS,
  UARTRSR,
} from "./registers.ts";

/** Where a PL011 sits and which interrupt it drives. */
export interface Pl011Options {
  /** MMIO base (default the virt UART, 0x09000000). */
  readonly base?: number;
  /** GIC INTID of UARTINTR (default 33). */
  readonly intid?: number;
}

/** Receives each byte the guest transmits. */
export type Pl011OutputSink = (byte: number) => void;

/** Initial capacity of the host-side input queue (grows as needed). */
const INITIAL_QUEUE = 256;

/** The PL011 device model. */
export class Pl011 extends PrimeCellDevice {
  /** Device name. */
  readonly name = "pl011";

  // Registers.
  private lcr = 0;
  private cr = CR_RESET;
  private ifls = IFLS_RESET;
  private imsc = 0;
  private ris = 0;
  private rsr = 0;
  private ilpr = 0;
  private ibrd = 0;
  private fbrd = 0;
  private dmacr = 0;
  /** Modem-status inputs (FR.CTS/DSR/DCD/RI), driven by loopback. */
  private modem = 0;

  // Receive FIFO: data byte | DR error bits.
  private readonly fifo = new Uint16Array(PL011_FIFO_DEPTH);
  private readPos = 0;
  private readCount = 0;
  /** RX trigger level: pinned to 1 as in QEMU (`pl011_set_read_trigger`). */
  private readonly readTrigger = 1;

  // Host input waiting for room in the FIFO (ring buffer of DR values).
  private queue = new Uint16Array(INITIAL_QUEUE);
  private queueHead = 0;
  private queueLength = 0;

  private output: Pl011OutputSink | null = null;
  private transmitted = 0;
  private received = 0;
  private warnedDma = false;

  /** Create the UART in its power-on state; it reaches the VM only through `host`. */
  constructor(host: DeviceHost, options: Pl011Options = {}) {
    super(host, options.base ?? VIRT_UART_BASE, options.intid ?? VIRT_UART_INTID, PL011_ID);
  }

  /** Set (or clear) the sink that receives transmitted bytes. */
  setOutput(sink: Pl011OutputSink | null): void {
    this.output = sink;
  }

  /** Terminal -> guest: queue bytes for reception (a string is sent as UTF-8). */
  pushInput(input: Uint8Array | string): void {
    const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
    for (let i = 0; i < bytes.length; i++) this.enqueue(bytes[i]);
    this.refill();
  }

  /** Terminal -> guest: a break condition (received as a NUL with DR.BE set). */
  pushBreak(): void {
    this.enqueue(DR_BE);
    this.refill();
  }

  /** Bytes queued on the host side that do not fit in the FIFO yet. */
  get pendingInput(): number {
    return this.queueLength;
  }

  /** Power-on state: registers reset, receive FIFO emptied (queued host input is kept), line lowered. */
  reset(): void {
    this.lcr = 0;
    this.cr = CR_RESET;
    this.ifls = IFLS_RESET;
    this.imsc = 0;
    this.ris = 0;
    this.rsr = 0;
    this.ilpr = 0;
    this.ibrd = 0;
    this.fbrd = 0;
    this.dmacr = 0;
    this.modem = 0;
    this.readPos = 0;
    this.readCount = 0;
    this.lowerIrq();
    this.refill();
  }

  /** Snapshot for the dashboard. */
  describe(): Record<string, string | number | boolean> {
    return {
      fifoEnabled: (this.lcr & LCR_H_FEN) !== 0,
      rxFifo: this.readCount,
      pendingInput: this.queueLength,
      transmitted: this.transmitted,
      received: this.received,
      cr: this.cr,
      imsc: this.imsc,
      ris: this.ris,
      irq: this.irqAsserted,
    };
  }

  // ---------------------------------------------------------------------------
  // MMIO
  // ---------------------------------------------------------------------------

  /** Register write at `offset`; registers take word-aligned writes of any size. */
  protected mmioWrite(offset: number, size: number, lo: number): MmioResult {
    if ((offset & 3) !== 0) {
      this.host.log(
        `pl011: ${size}-byte write at unaligned offset 0x${offset.toString(16)} ignored`,
      );
      return MmioResult.Handled;
    }
    const value = size >= 4 ? lo >>> 0 : lo & ((1 << (size * 8)) - 1);
    this.writeRegister(offset, value);
    return MmioResult.Handled;
  }

  /** Value of the register at word offset `reg` (reading UARTDR pops the FIFO). */
  protected readRegister(reg: number): number {
    switch (reg) {
      case UARTDR:
        return this.readData();
      case UARTRSR:
        return this.rsr;
      case UARTFR:
        return this.flags();
      case UARTILPR:
        return this.ilpr;
      case UARTIBRD:
        return this.ibrd;
      case UARTFBRD:
        return this.fbrd;
      case UARTLCR_H:
        return this.lcr;
      case UARTCR:
        return this.cr;
      case UARTIFLS:
        return this.ifls;
      case UARTIMSC:
        return this.imsc;
      case UARTRIS:
        return this.ris;
      case UARTMIS:
        return this.ris & this.imsc;
      case UARTICR: // write-only
        return 0;
      case UARTDMACR:
        return this.dmacr;
      default:
        this.host.log(`pl011: read of unknown register at offset 0x${reg.toString(16)}`);
        return 0;
    }
  }

  /** Write the register at word offset `reg`. */
  private writeRegister(reg: number, value: number): void {
    switch (reg) {
      case UARTDR:
        this.transmit(value & 0xff);
        return;
      case UARTRSR: // UARTECR: any write clears the error bits
        this.rsr = 0;
        return;
      case UARTFR:
      case UARTRIS:
      case UARTMIS:
        return; // read-only
      case UARTILPR:
        this.ilpr = value & ILPR_MASK;
        return;
      case UARTIBRD:
        this.ibrd = value & IBRD_MASK;
        return;
      case UARTFBRD:
        this.fbrd = value & FBRD_MASK;
        return;
      case UARTLCR_H:
        this.writeLineControl(value & LCR_H_MASK);
        return;
      case UARTCR:
        this.cr = value & CR_MASK;
        this.updateModemLoopback();
        this.updateIrq();
        return;
      case UARTIFLS:
        this.ifls = value & IFLS_MASK;
        return;
      case UARTIMSC:
        this.imsc = value & INT_MASK;
        this.updateIrq();
        return;
      case UARTICR:
        this.ris &= ~value;
        this.updateIrq();
        return;
      case UARTDMACR:
        this.dmacr = value & DMACR_MASK;
        if ((value & DMACR_DMAE) !== 0 && !this.warnedDma) {
          this.warnedDma = true;
          this.host.log("pl011: DMA requests (UARTDMACR.RXDMAE/TXDMAE) are not implemented");
        }
        return;
      default:
        this.host.log(`pl011: write to unknown register at offset 0x${reg.toString(16)}`);
    }
  }

  // ---------------------------------------------------------------------------
  // Data path
  // ---------------------------------------------------------------------------

  /** Receive FIFO depth: 16 with LCR_H.FEN, else the 1-character holding register. */
  private depth(): number {
    return (this.lcr & LCR_H_FEN) !== 0 ? PL011_FIFO_DEPTH : 1;
  }

  /** UARTFR as computed from the FIFO and modem state. */
  private flags(): number {
    let fr = FR_TXFE | this.modem;
    if (this.readCount === 0) fr |= FR_RXFE;
    if (this.readCount >= this.depth()) fr |= FR_RXFF;
    return fr;
  }

  /** UARTDR read: pop one character (with its error bits) and refill from the host queue. */
  private readData(): number {
    const c = this.fifo[this.readPos];
    if (this.readCount > 0) {
      this.readCount--;
      this.readPos = (this.readPos + 1) % PL011_FIFO_DEPTH;
    }
    if (this.readCount === this.readTrigger - 1) this.ris &= ~INT_RX;
    // FE/PE/BE describe the character just read; OE stays until UARTECR is written (TRM §3.3.2).
    this.rsr = ((c >> 8) & RSR_MASK) | (this.rsr & RSR_OE);
    this.refill();
    this.updateIrq();
    return c;
  }

  /** UARTDR write: hand the byte to the sink (and loop it back under CR.LBE). */
  private transmit(byte: number): void {
    this.transmitted++;
    if (this.output !== null) this.output(byte);
    if ((this.cr & CR_LBE) !== 0) this.receive(byte);
    this.ris |= INT_TX;
    this.updateIrq();
  }

  /** UARTLCR_H write: FIFO enable changes flush the receive FIFO; a break start loops back. */
  private writeLineControl(value: number): void {
    if (((this.lcr ^ value) & LCR_H_FEN) !== 0) {
      // FIFO enable/disable empties the receive FIFO (QEMU `pl011_write` LCR_H).
      this.readCount = 0;
      this.readPos = 0;
    }
    const breakStarts = (value & LCR_H_BRK) !== 0 && (this.lcr & LCR_H_BRK) === 0;
    this.lcr = value;
    if (breakStarts && (this.cr & CR_LBE) !== 0) this.receive(DR_BE);
    this.refill();
    this.updateIrq();
  }

  /** Put one DR value (byte | error bits) into the receive FIFO; overrun if full. */
  private receive(value: number): void {
    if (this.readCount >= this.depth()) {
      this.rsr |= RSR_OE;
      this.ris |= INT_OE;
      return;
    }
    const slot = (this.readPos + this.readCount) % PL011_FIFO_DEPTH;
    this.fifo[slot] = value;
    this.readCount++;
    this.received++;
    if (this.readCount === this.readTrigger) this.ris |= INT_RX;
    if ((value & DR_BE) !== 0) this.ris |= INT_BE;
    if ((value & DR_FE) !== 0) this.ris |= INT_FE;
    if ((value & DR_PE) !== 0) this.ris |= INT_PE;
    if ((value & DR_OE) !== 0) this.ris |= INT_OE;
  }

  /** Move queued host input into the FIFO while it has room. */
  private refill(): void {
    if (this.queueLength === 0) return;
    const depth = this.depth();
    while (this.queueLength > 0 && this.readCount < depth) {
      const v = this.queue[this.queueHead];
      this.queueHead = (this.queueHead + 1) % this.queue.length;
      this.queueLength--;
      this.receive(v);
    }
    this.updateIrq();
  }

  /** Append one DR value to the host-side input queue, growing it if needed. */
  private enqueue(value: number): void {
    if (this.queueLength === this.queue.length) {
      const bigger = new Uint16Array(this.queue.length * 2);
      for (let i = 0; i < this.queueLength; i++) {
        bigger[i] = this.queue[(this.queueHead + i) % this.queue.length];
      }
      this.queue = bigger;
      this.queueHead = 0;
    }
    this.queue[(this.queueHead + this.queueLength) % this.queue.length] = value;
    this.queueLength++;
  }

  /** In loopback the modem outputs drive the modem status inputs (QEMU `pl011_loopback_mdmctrl`). */
  private updateModemLoopback(): void {
    if ((this.cr & CR_LBE) === 0) {
      this.modem = 0; // no modem-status inputs are wired outside loopback
      return;
    }
    let m = 0;
    let il = this.ris & ~INT_MS;
    if ((this.cr & CR_RTS) !== 0) {
      m |= FR_CTS;
      il |= INT_CTS;
    }
    if ((this.cr & CR_DTR) !== 0) {
      m |= FR_DSR;
      il |= INT_DSR;
    }
    if ((this.cr & CR_OUT1) !== 0) {
      m |= FR_DCD;
      il |= INT_DCD;
    }
    if ((this.cr & CR_OUT2) !== 0) {
      m |= FR_RI;
      il |= INT_RI;
    }
    this.modem = m;
    this.ris = il;
  }

  /** Drive UARTINTR = any bit of UARTMIS. */
  private updateIrq(): void {
    this.setIrqLevel((this.ris & this.imsc) !== 0);
  }
}
