/**
 * The virtio-mmio transport, version 2 (virtio 1.2 §4.2): the register file
 * of one device window, feature negotiation through the selector registers,
 * the device status state machine (reset on 0, FEATURES_OK only for an
 * acceptable feature set, DRIVER_OK activates the backend), queue setup and
 * QueueReady, QueueNotify, InterruptStatus/InterruptACK driving the device's
 * edge-triggered interrupt, and the configuration space with its generation
 * counter.
 *
 * Registers below 0x100 take 32-bit accesses only (§4.2.2); other widths read
 * 0 and are ignored. A malformed ring the backend meets sets
 * DEVICE_NEEDS_RESET and raises a configuration-change interrupt (§2.1.2);
 * nothing a guest does throws out of {@link read} or {@link write}.
 *
 * @module
 */
import type { DeviceHost, MmioData, MmioRegion } from "@gunyah-ts/core/plugin";
import { MmioResult } from "@gunyah-ts/core/plugin";
import type { VirtioActivation, VirtioBackend } from "./backend.ts";
import { GuestMemory, VirtioError } from "./guest_memory.ts";
import { SplitVirtqueue } from "./virtqueue.ts";
import {
  GUNYAH_TS_VIRTIO_VENDOR_ID,
  VIRTIO_F_VERSION_1_HI,
  VIRTIO_MMIO_CONFIG,
  VIRTIO_MMIO_CONFIG_GENERATION,
  VIRTIO_MMIO_DEVICE_FEATURES,
  VIRTIO_MMIO_DEVICE_FEATURES_SEL,
  VIRTIO_MMIO_DEVICE_ID,
  VIRTIO_MMIO_DRIVER_FEATURES,
  VIRTIO_MMIO_DRIVER_FEATURES_SEL,
  VIRTIO_MMIO_INT_CONFIG,
  VIRTIO_MMIO_INT_VRING,
  VIRTIO_MMIO_INTERRUPT_ACK,
  VIRTIO_MMIO_INTERRUPT_STATUS,
  VIRTIO_MMIO_MAGIC,
  VIRTIO_MMIO_MAGIC_VALUE,
  VIRTIO_MMIO_QUEUE_DESC_HIGH,
  VIRTIO_MMIO_QUEUE_DESC_LOW,
  VIRTIO_MMIO_QUEUE_DEVICE_HIGH,
  VIRTIO_MMIO_QUEUE_DEVICE_LOW,
  VIRTIO_MMIO_QUEUE_DRIVER_HIGH,
  VIRTIO_MMIO_QUEUE_DRIVER_LOW,
  VIRTIO_MMIO_QUEUE_NOTIFY,
  VIRTIO_MMIO_QUEUE_NUM,
  VIRTIO_MMIO_QUEUE_NUM_MAX,
  VIRTIO_MMIO_QUEUE_READY,
  VIRTIO_MMIO_QUEUE_SEL,
  VIRTIO_MMIO_STATUS,
  VIRTIO_MMIO_VENDOR_ID,
  VIRTIO_MMIO_VERSION,
  VIRTIO_MMIO_VERSION_MODERN,
  VIRTIO_MMIO_WINDOW_SIZE,
  VIRTIO_STATUS_DEVICE_NEEDS_RESET,
  VIRTIO_STATUS_DRIVER_OK,
  VIRTIO_STATUS_FEATURES_OK,
} from "./constants.ts";

/** One virtio-mmio device window over a {@link VirtioBackend}. */
export class VirtioMmioTransport implements MmioRegion, VirtioActivation {
  readonly size: number = VIRTIO_MMIO_WINDOW_SIZE;
  readonly memory: GuestMemory;
  readonly queues: readonly SplitVirtqueue[];
  /** Device status register. */
  status = 0;
  /** InterruptStatus. */
  interruptStatus = 0;
  /** ConfigGeneration. */
  configGeneration = 0;
  featuresLo = 0;
  featuresHi = 0;
  #deviceFeaturesSel = 0;
  #driverFeaturesSel = 0;
  #queueSel = 0;
  #active = false;
  #lastProblem = "";
  /** Cancel functions of the continuations scheduled by {@link continueLater}, by queue. */
  readonly #later = new Map<number, () => void>();

  /** A transport window at `base` raising `intid`, serving `backend` through `host`. */
  constructor(
    /** IPA of the window. */
    readonly base: number,
    /** GIC INTID of the device's (edge-triggered) interrupt. */
    readonly intid: number,
    readonly backend: VirtioBackend,
    readonly host: DeviceHost,
  ) {
    this.memory = new GuestMemory(host.memory);
    this.queues = backend.queueMaxSizes.map((n) => new SplitVirtqueue(n));
  }

  /** Device features word `sel` (0: bits 0..31, 1: bits 32..63 incl. VIRTIO_F_VERSION_1). */
  deviceFeatures(sel: number): number {
    if (sel === 0) return this.backend.featuresLo >>> 0;
    if (sel === 1) return (this.backend.featuresHi | VIRTIO_F_VERSION_1_HI) >>> 0;
    return 0;
  }

  /** The last reason the device refused something or needed a reset ("" if none). */
  get lastProblem(): string {
    return this.#lastProblem;
  }

  read(offset: number, size: number, _vcpuIndex: number, out: MmioData): MmioResult {
    out.hi = 0;
    out.lo = 0;
    if (offset >= VIRTIO_MMIO_CONFIG) {
      out.lo = this.#readConfig(offset - VIRTIO_MMIO_CONFIG, size, out);
      return MmioResult.Handled;
    }
    if (size !== 4) return MmioResult.Handled;
    out.lo = this.#readRegister(offset) >>> 0;
    return MmioResult.Handled;
  }

  write(offset: number, size: number, lo: number, _hi: number, _vcpuIndex: number): MmioResult {
    if (offset >= VIRTIO_MMIO_CONFIG) {
      const at = offset - VIRTIO_MMIO_CONFIG;
      if (size <= 4 && at + size <= this.backend.configSize) {
        this.backend.writeConfig(at, size, lo >>> 0);
      }
      return MmioResult.Handled;
    }
    if (size === 4) this.#writeRegister(offset, lo >>> 0);
    return MmioResult.Handled;
  }

  #readConfig(at: number, size: number, out: MmioData): number {
    const cfg = this.backend.configSize;
    if (size === 8) {
      if (at + 8 > cfg) return 0;
      out.hi = this.backend.readConfig(at + 4, 4) >>> 0;
      return this.backend.readConfig(at, 4) >>> 0;
    }
    if (at + size > cfg) return 0;
    return this.backend.readConfig(at, size) >>> 0;
  }

  #readRegister(offset: number): number {
    const q = this.queues[this.#queueSel];
    switch (offset) {
      case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
      case VIRTIO_MMIO_VERSION:
        return VIRTIO_MMIO_VERSION_MODERN;
      case VIRTIO_MMIO_DEVICE_ID:
        return this.backend.deviceId;
      case VIRTIO_MMIO_VENDOR_ID:
        return GUNYAH_TS_VIRTIO_VENDOR_ID;
      case VIRTIO_MMIO_DEVICE_FEATURES:
        return this.deviceFeatures(this.#deviceFeaturesSel);
      case VIRTIO_MMIO_QUEUE_NUM_MAX:
        return q === undefined ? 0 : q.maxSize;
      case VIRTIO_MMIO_QUEUE_READY:
        return q !== undefined && q.ready ? 1 : 0;
      case VIRTIO_MMIO_INTERRUPT_STATUS:
        return this.interruptStatus;
      case VIRTIO_MMIO_STATUS:
        return this.status;
      case VIRTIO_MMIO_CONFIG_GENERATION:
        return this.configGeneration;
      default:
        return 0;
    }
  }

  #writeRegister(offset: number, value: number): void {
    const q = this.queues[this.#queueSel];
    switch (offset) {
      case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        this.#deviceFeaturesSel = value;
        return;
      case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        this.#driverFeaturesSel = value;
        return;
      case VIRTIO_MMIO_DRIVER_FEATURES:
        // Features are fixed once FEATURES_OK is set (§3.1.1 step 5).
        if (this.status & VIRTIO_STATUS_FEATURES_OK) return;
        if (this.#driverFeaturesSel === 0) this.featuresLo = value;
        else if (this.#driverFeaturesSel === 1) this.featuresHi = value;
        return;
      case VIRTIO_MMIO_QUEUE_SEL:
        this.#queueSel = value;
        return;
      case VIRTIO_MMIO_QUEUE_NUM:
        if (q !== undefined && !q.ready) q.size = value;
        return;
      case VIRTIO_MMIO_QUEUE_READY:
        if (q !== undefined) this.#setQueueReady(q, value);
        return;
      case VIRTIO_MMIO_QUEUE_DESC_LOW:
      case VIRTIO_MMIO_QUEUE_DESC_HIGH:
      case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
      case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
      case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
      case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        if (q !== undefined && !q.ready) setQueueAddressWord(q, offset, value);
        return;
      case VIRTIO_MMIO_QUEUE_NOTIFY:
        this.#notify(value);
        return;
      case VIRTIO_MMIO_INTERRUPT_ACK:
        this.interruptStatus &= ~value;
        if (this.interruptStatus === 0) this.host.setIrq(this.intid, false);
        return;
      case VIRTIO_MMIO_STATUS:
        this.#writeStatus(value & 0xff);
        return;
      default:
        return;
    }
  }

  #setQueueReady(q: SplitVirtqueue, value: number): void {
    if ((value & 1) === 0) {
      q.ready = false;
      return;
    }
    if (q.ready) return;
    const problem = q.configProblem();
    if (problem !== null) {
      this.#problem(`queue ${this.#queueSel} not made ready: ${problem}`);
      return;
    }
    q.lastAvailIdx = 0;
    q.usedIdx = 0;
    q.ready = true;
  }

  #writeStatus(value: number): void {
    if (value === 0) {
      this.reset();
      return;
    }
    const newly = value & ~this.status;
    if (newly & VIRTIO_STATUS_FEATURES_OK) {
      const problem = this.#featureProblem();
      if (problem !== null) {
        // FEATURES_OK stays clear: the driver reads it back and gives up (§2.1.1).
        this.#problem(problem);
        value &= ~VIRTIO_STATUS_FEATURES_OK;
      }
    }
    if ((newly & VIRTIO_STATUS_DRIVER_OK) && !(value & VIRTIO_STATUS_FEATURES_OK)) {
      this.#problem("DRIVER_OK set without FEATURES_OK");
      value &= ~VIRTIO_STATUS_DRIVER_OK;
    }
    this.status = value | (this.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    if ((this.status & VIRTIO_STATUS_DRIVER_OK) && !this.#active) {
      this.#active = true;
      try {
        this.backend.activate(this);
      } catch (e) {
        this.#fail(e);
      }
      // Buffers made available before DRIVER_OK are served now.
      for (let i = 0; i < this.queues.length; i++) {
        if (this.queues[i].ready) this.#notify(i);
      }
    }
  }

  #featureProblem(): string | null {
    const extraLo = this.featuresLo & ~this.deviceFeatures(0);
    const extraHi = this.featuresHi & ~this.deviceFeatures(1);
    if (extraLo !== 0 || extraHi !== 0) {
      return `driver accepted features the device does not offer (0x${
        (extraHi >>> 0).toString(16)
      }_${(extraLo >>> 0).toString(16).padStart(8, "0")})`;
    }
    if (!(this.featuresHi & VIRTIO_F_VERSION_1_HI)) {
      return "driver did not accept VIRTIO_F_VERSION_1 (legacy drivers are not supported)";
    }
    return null;
  }

  #notify(index: number): void {
    if (!this.#active || (this.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)) return;
    const q = this.queues[index];
    if (q === undefined || !q.ready) return;
    try {
      this.backend.notify(index);
    } catch (e) {
      this.#fail(e);
    }
  }

  /**
   * A guest-caused VirtioError needs a reset; anything else is a fault of the
   * backend or the host (a host I/O error, a bug): contained here too, so
   * only this device fails (DEVICE_NEEDS_RESET), never its VM or the host.
   */
  #fail(e: unknown): void {
    if (e instanceof VirtioError) this.needsReset(e.message);
    else {
      const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.needsReset(`backend fault (${what})`);
    }
  }

  #problem(message: string): void {
    this.#lastProblem = message;
    this.host.log(`virtio-mmio@0x${this.base.toString(16)}: ${message}`);
  }

  /** Raise the device's interrupt edge for the bits in `bits`. */
  #interrupt(bits: number): void {
    this.interruptStatus |= bits;
    // Edge-triggered line (qemu-virt: virtio-mmio SPIs are edge rising): a new edge each time.
    this.host.setIrq(this.intid, false);
    this.host.setIrq(this.intid, true);
  }

  continueLater(index: number): void {
    if (this.#later.has(index)) return;
    this.#later.set(
      index,
      this.host.setTimer(this.host.clock.now, () => {
        this.#later.delete(index);
        this.#notify(index);
      }),
    );
  }

  signalUsed(): void {
    this.#interrupt(VIRTIO_MMIO_INT_VRING);
  }

  signalConfigChange(): void {
    this.configGeneration = (this.configGeneration + 1) >>> 0;
    this.#interrupt(VIRTIO_MMIO_INT_CONFIG);
  }

  needsReset(reason: string): void {
    this.#problem(`device needs reset: ${reason}`);
    if (this.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) return;
    this.status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
    if (this.status & VIRTIO_STATUS_DRIVER_OK) this.#interrupt(VIRTIO_MMIO_INT_CONFIG);
  }

  /** Device reset (status written 0, or the VM resets): everything back to power-on. */
  reset(): void {
    for (const cancel of this.#later.values()) cancel();
    this.#later.clear();
    if (this.#active) this.backend.reset();
    this.#active = false;
    this.status = 0;
    this.featuresLo = 0;
    this.featuresHi = 0;
    this.#deviceFeaturesSel = 0;
    this.#driverFeaturesSel = 0;
    this.#queueSel = 0;
    for (const q of this.queues) q.reset();
    if (this.interruptStatus !== 0) this.host.setIrq(this.intid, false);
    this.interruptStatus = 0;
  }

  /** A snapshot for the dashboard. */
  describe(): Record<string, string | number | boolean> {
    return {
      base: `0x${this.base.toString(16)}`,
      intid: this.intid,
      deviceId: this.backend.deviceId,
      status: this.status,
      interruptStatus: this.interruptStatus,
      configGeneration: this.configGeneration,
      ...this.backend.describe(),
    };
  }
}

function setQueueAddressWord(q: SplitVirtqueue, offset: number, value: number): void {
  const HI = 0x1_0000_0000;
  switch (offset) {
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
      q.descAddr = Math.floor(q.descAddr / HI) * HI + value;
      return;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
      q.descAddr = (q.descAddr % HI) + value * HI;
      return;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
      q.availAddr = Math.floor(q.availAddr / HI) * HI + value;
      return;
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
      q.availAddr = (q.availAddr % HI) + value * HI;
      return;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
      q.usedAddr = Math.floor(q.usedAddr / HI) * HI + value;
      return;
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
      q.usedAddr = (q.usedAddr % HI) + value * HI;
      return;
  }
}
