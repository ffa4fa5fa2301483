/**
 * The contract between the virtio-mmio transport and a device backend (the
 * Firecracker split): the backend declares its device ID, features, queues
 * and configuration space, and works on queues and guest memory once the
 * driver is ready. It never sees a transport register; the transport never
 * knows what a request means.
 *
 * @module
 */
import type { GuestMemory } from "./guest_memory.ts";
import type { SplitVirtqueue } from "./virtqueue.ts";

/** What an activated backend works with (given when the driver sets DRIVER_OK). */
export interface VirtioActivation {
  /** Guest RAM, through the VM's stage-2 view. */
  readonly memory: GuestMemory;
  /** The queues, in the device's queue order, each configured and possibly ready. */
  readonly queues: readonly SplitVirtqueue[];
  /** Low word of the features the driver accepted (bits 0..31). */
  readonly featuresLo: number;
  /** High word of the features the driver accepted (bits 32..63). */
  readonly featuresHi: number;
  /** Tell the driver a used buffer is waiting (InterruptStatus bit 0 and an interrupt edge). */
  signalUsed(): void;
  /** Tell the driver the configuration changed (generation bump, InterruptStatus bit 1). */
  signalConfigChange(): void;
  /** The device cannot go on (a malformed ring): set DEVICE_NEEDS_RESET, tell the driver. */
  needsReset(reason: string): void;
  /**
   * Serve queue `index` again at the next round of the run loop: a backend
   * that spent its per-notification byte budget leaves the rest of the ring
   * for then, so one kick cannot hold the host for long (issue 12 §4).
   */
  continueLater(index: number): void;
}

/** A virtio device type behind the transport (block, console, entropy, ...). */
export interface VirtioBackend {
  /** Virtio device ID (§5): 2 block, 3 console, 4 entropy. */
  readonly deviceId: number;
  /** Device-specific feature bits 0..31 offered (the transport adds VIRTIO_F_VERSION_1). */
  readonly featuresLo: number;
  /** Feature bits 32..63 offered besides VIRTIO_F_VERSION_1. */
  readonly featuresHi: number;
  /** QueueNumMax of each queue; the length is the number of queues. */
  readonly queueMaxSizes: readonly number[];
  /** Bytes of device configuration space (at transport offset 0x100). */
  readonly configSize: number;
  /** Read `size` (1, 2 or 4) bytes of configuration at `offset`, little-endian. */
  readConfig(offset: number, size: number): number;
  /** Write configuration (most devices ignore it). */
  writeConfig(offset: number, size: number, value: number): void;
  /** The driver set DRIVER_OK: start serving. */
  activate(activation: VirtioActivation): void;
  /** The driver notified queue `index` (QueueNotify). */
  notify(index: number): void;
  /** Device reset (status 0): drop all activation state. */
  reset(): void;
  /** Release host resources (files). */
  close?(): void;
  /** A snapshot for the dashboard. */
  describe(): Record<string, string | number | boolean>;
}
