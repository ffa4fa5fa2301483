/**
 * The shared-memory mailbox between a device plugin running in a Worker and
 * its host-side proxy. MMIO accesses are answered synchronously: the host
 * writes a request, bumps {@link MB_REQ_SEQ} and blocks in `Atomics.wait` on
 * {@link MB_RESP_SEQ}; the worker, parked in `Atomics.waitAsync` on the
 * request counter, serves it and publishes the response by storing the same
 * sequence number in {@link MB_RESP_SEQ}.
 *
 * Interrupt line changes a device makes while serving a request travel back
 * in the mailbox's IRQ ring, so they reach the GIC before the vCPU runs its
 * next instruction; changes made outside a request (timers, host input) go
 * by `postMessage`.
 *
 * Layout of the Int32 words (byte 512 on holds the Float64 clock):
 *
 * | word | meaning |
 * |---|---|
 * | 0 | request sequence |
 * | 1 | response sequence |
 * | 2 | operation ({@link MailboxOp}) |
 * | 3 | region index |
 * | 4 | offset |
 * | 5 | size |
 * | 6, 7 | write value lo, hi |
 * | 8 | vCPU index |
 * | 9 | result (MmioResult) |
 * | 10, 11 | read value lo, hi |
 * | 12 | IRQ changes in the ring |
 * | 13 .. 13 + 2 n | ring: intid, level |
 * | 100 | 1 while the worker runs plugin code (an access, a timer, a call) |
 *
 * @module
 */

/** Word: request sequence number (host increments). */
export const MB_REQ_SEQ = 0;
/** Word: response sequence number (worker copies the request's). */
export const MB_RESP_SEQ = 1;
/** Word: operation. */
export const MB_OP = 2;
/** Word: index of the device's region. */
export const MB_REGION = 3;
/** Word: offset within the region. */
export const MB_OFFSET = 4;
/** Word: access size. */
export const MB_SIZE = 5;
/** Word: write value, low half. */
export const MB_LO = 6;
/** Word: write value, high half. */
export const MB_HI = 7;
/** Word: vCPU index. */
export const MB_VCPU = 8;
/** Word: MmioResult. */
export const MB_RESULT = 9;
/** Word: read value, low half. */
export const MB_OUT_LO = 10;
/** Word: read value, high half. */
export const MB_OUT_HI = 11;
/** Word: number of IRQ changes in the ring. */
export const MB_IRQ_COUNT = 12;
/** Word: first ring entry. */
export const MB_IRQ_RING = 13;
/** Ring capacity (changes per request); more overflow to postMessage. */
export const MB_IRQ_RING_ENTRIES = 32;
/**
 * Word: 1 while the worker is inside plugin code. An access that misses its
 * deadline while this is set is a plugin that hangs (the device is failed);
 * while it is clear the worker is only waiting for the host to schedule it,
 * and the access may wait up to the start-up timeout.
 */
export const MB_IN_PLUGIN = 100;
/** Byte offset of the Float64 virtual-clock slot. */
export const MB_CLOCK_BYTE = 512;
/** Mailbox size in bytes. */
export const MB_BYTES = 520;

/** Mailbox operations. */
export const enum MailboxOp {
  Read = 1,
  Write = 2,
  Reset = 3,
}

/** A RAM mapping as sent to the worker (the bytes share the guest's SharedArrayBuffer). */
export interface SharedMapping {
  readonly ipaBase: number;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly access: number;
}

/** Host → worker: create the device. */
export interface InitMessage {
  readonly t: "init";
  readonly mailbox: SharedArrayBuffer;
  /** The VM's RAM, or null when it is sent later by a "ram" message (MMIO is served from then on). */
  readonly ram: readonly SharedMapping[] | null;
  readonly nsPerInstruction: number;
  readonly options: Readonly<Record<string, unknown>>;
  /** Whether the device's entry names a network segment (its host offers connectEthernet). */
  readonly net: boolean;
}

/**
 * Most Ethernet frames posted to an isolated device that it has not yet
 * taken (its worker answers with "net-credit"); beyond it frames for the
 * device are refused, and the segment counts them as drops on its port.
 */
export const ISOLATED_NET_FRAMES_IN_FLIGHT = 256;

/** Messages the host sends after init. */
export type HostMessage =
  | InitMessage
  | { readonly t: "fire"; readonly id: number }
  | { readonly t: "describe" }
  | { readonly t: "ram"; readonly ram: readonly SharedMapping[]; readonly nsPerInstruction: number }
  | { readonly t: "call"; readonly method: string; readonly args: readonly unknown[] }
  /** An Ethernet frame from the device's segment (a copy, transferred). */
  | { readonly t: "frame"; readonly frame: Uint8Array }
  | { readonly t: "close" };

/** Messages the worker sends. */
export type WorkerMessage =
  | {
    readonly t: "ready";
    readonly name: string;
    readonly regions: readonly { readonly base: number; readonly size: number }[];
    readonly dt: unknown;
    readonly methods: readonly string[];
  }
  | { readonly t: "failed"; readonly message: string }
  | { readonly t: "irq"; readonly intid: number; readonly level: boolean }
  | { readonly t: "timer"; readonly id: number; readonly at: number }
  | { readonly t: "cancel"; readonly id: number }
  | { readonly t: "log"; readonly message: string }
  | { readonly t: "describe"; readonly snapshot: Record<string, string | number | boolean> }
  /** The device called connectEthernet (during create): connect its proxy to the segment. */
  | { readonly t: "net-connect" }
  /** An Ethernet frame the device sends into its segment (a copy, transferred). */
  | { readonly t: "frame"; readonly frame: Uint8Array }
  /** The device took `n` more of the frames posted to it. */
  | { readonly t: "net-credit"; readonly n: number }
  | { readonly t: "closed" };
