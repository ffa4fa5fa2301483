/**
 * The virtio_mmio object: a virtio-mmio transport whose register page is
 * shared between a backend VM (which implements the device) and a frontend
 * VM (which drives it), with the hypervisor trapping the frontend's writes
 * (HYP `hyp/vm/virtio_mmio`, built for QEMU by the gunyah-rm-qemu
 * featureset).
 *
 * Life cycle (HYP `virtio_mmio.c`):
 * - configure (INIT): a BASIC memextent of exactly one 4 KiB page, at most
 *   {@link VIRTIO_MMIO_MAX_VQS} queues, and a device type that is only taken
 *   when the `valid_device_type` option is set and a device module accepts
 *   it (otherwise ERROR_ARGUMENT_INVALID); without the option the type is
 *   INVALID (a generic device). Reconfiguring replaces the memextent.
 * - activate: no memextent → ERROR_OBJECT_CONFIG; the memextent must not
 *   already back another virtual device (ERROR_BUSY); the page is attached
 *   to the hypervisor (zeroed) and becomes the register page.
 * - deactivate: both VIRQ sources are unbound and the memextent released.
 *
 * Two VIRQ sources (HYP names):
 * - the *backend source* is what `backend_assert_virq` asserts, normally
 *   bound to the frontend's vic; it stays pending while InterruptStatus is
 *   non-zero (the frontend clears bits by writing InterruptACK);
 * - the *frontend source* is what the frontend's writes assert (QueueNotify,
 *   DRIVER_OK/FAILED, a reset request), normally bound to the backend's vic;
 *   it stays pending until the backend collects the reasons with
 *   `backend_get_notification`.
 *
 * The frontend reads the page directly; its writes go through
 * {@link VirtioMmio.frontendWrite}, which implements HYP's trap handler
 * (`vdevice.c`). {@link VirtioMmioFrontendRegion} presents both as an
 * `MmioRegion` for a VM's bus.
 *
 * @module
 */
import { HypError, HypErrorException, throwHypError } from "../../abi/error.ts";
import type { VirqInfo } from "../../abi/formats.ts";
import { MemextentType } from "../../abi/formats.ts";
import type { Memextent } from "../memextent/memextent.ts";
import { GunyahObject } from "../object.ts";
import { ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import type { Vic } from "../vic/vic.ts";
import { VirqSource } from "../vic/virq_source.ts";
import {
  VIRTIO_F_ACCESS_PLATFORM,
  VIRTIO_F_NOTIFICATION_DATA,
  VIRTIO_F_VERSION_1,
  VIRTIO_MMIO_CONFIG,
  VIRTIO_MMIO_DEVICE_FEATURES,
  VIRTIO_MMIO_DEVICE_FEATURES_SEL,
  VIRTIO_MMIO_DRIVER_FEATURES,
  VIRTIO_MMIO_DRIVER_FEATURES_SEL,
  VIRTIO_MMIO_INTERRUPT_ACK,
  VIRTIO_MMIO_INTERRUPT_STATUS,
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
  VIRTIO_STATUS_DEVICE_NEEDS_RESET,
  VIRTIO_STATUS_DRIVER_OK,
  VIRTIO_STATUS_FAILED,
} from "../../abi/virtio.ts";
import {
  QUEUE_WORDS,
  QueueWord,
  VIRTIO_DEVICE_TYPE_INVALID,
  VIRTIO_MMIO_CONFIG_BYTES,
  VIRTIO_MMIO_DEV_FEAT_NUM,
  VIRTIO_MMIO_DRV_FEAT_NUM,
  VIRTIO_MMIO_MAX_VQS,
  VIRTIO_MMIO_PAGE_SIZE,
  VIRTIO_NOTIFY_DRIVER_OK,
  VIRTIO_NOTIFY_FAILED,
  VIRTIO_NOTIFY_NEW_BUFFER,
  VIRTIO_NOTIFY_RESET_RQST,
  VIRTIO_OPTION_VALID_DEVICE_TYPE,
} from "./registers.ts";

/**
 * Device-type specific behaviour (HYP's `virtio_mmio_valid_device_type`,
 * `virtio_mmio_device_config_*` selector events). A device module (such as
 * virtio_input) registers one per type in {@link VIRTIO_DEVICE_MODELS}.
 */
export interface VirtioDeviceModel {
  /** A frontend write to the config space (offset from the page start); true = emulated. */
  configWrite(virtioMmio: VirtioMmio, offset: number, value: number, size: number): boolean;
  /** At activation; an error fails the activation. */
  activate(virtioMmio: VirtioMmio): HypError;
  /** At cleanup. */
  cleanup(virtioMmio: VirtioMmio): void;
}

/**
 * Device models by `virtio_device_type`, beyond INVALID (whose behaviour is
 * built in). Empty until a device module registers: the open-source
 * hypervisor's only one is virtio_input (type 18).
 */
export const VIRTIO_DEVICE_MODELS: Map<number, VirtioDeviceModel> = new Map();

/** The source the backend asserts (pending while InterruptStatus ≠ 0). */
class BackendSource extends VirqSource {
  constructor(readonly owner: VirtioMmio) {
    super();
  }
  checkPending(): boolean {
    return this.owner.interruptStatus !== 0;
  }
}

/** The source the frontend's writes assert (pending while notify reasons are uncollected). */
class FrontendSource extends VirqSource {
  constructor(readonly owner: VirtioMmio) {
    super();
  }
  checkPending(): boolean {
    return this.owner.notifyReason !== 0;
  }
}

/** The memextent's virtual device (HYP `memextent->vdevice`, set by `vdevice_attach_phys`). */
const memextentVdevices = new WeakMap<Memextent, VirtioMmio>();

/** The virtio_mmio whose register page `memextent` is, if any (HYP `memextent->vdevice`). */
export function vdeviceOfMemextent(memextent: Memextent): VirtioMmio | undefined {
  return memextentVdevices.get(memextent);
}

/** A virtio_mmio object. */
export class VirtioMmio extends GunyahObject {
  readonly type = ObjectType.VIRTIO_MMIO;
  /** `virtio_option_flags` given to configure. */
  flags = 0n;
  /** The register page's memextent (configured). */
  memextent: Memextent | null = null;
  /** `virtio_device_type`. */
  deviceType = VIRTIO_DEVICE_TYPE_INVALID;
  /** Number of virtqueues. */
  vqsNum = 0;
  /** Register page bytes (attached memextent), null until active. */
  regs: Uint8Array | null = null;
  #view: DataView | null = null;
  /** Queues notified since the backend last collected them (bit per queue index). */
  vqsBitmap = 0n;
  /** `virtio_mmio_notify_reason` bits not yet collected by the backend. */
  notifyReason = 0;
  /** Banked DeviceFeatures words (set by the backend). */
  readonly devFeatures = new Uint32Array(VIRTIO_MMIO_DEV_FEAT_NUM);
  /** Banked DriverFeatures words (written by the frontend). */
  readonly drvFeatures = new Uint32Array(VIRTIO_MMIO_DRV_FEAT_NUM);
  /** DriverFeaturesSel. */
  drvFeatSel = 0;
  /** QueueSel. */
  queueSel = 0;
  /** Banked queue registers, {@link QUEUE_WORDS} per queue. */
  queueRegs = new Uint32Array(0);
  /** The VIRQ the backend asserts towards the frontend. */
  readonly backendSource: VirqSource = new BackendSource(this);
  /** The VIRQ the frontend's writes assert towards the backend. */
  readonly frontendSource: VirqSource = new FrontendSource(this);
  #model: VirtioDeviceModel | null = null;

  constructor(partition: Partition) {
    super(partition);
  }

  /** virtio_mmio_configure (INIT only; the caller checked the state). */
  configure(memextent: Memextent, vqsNum: number, flags: bigint, deviceType: number): void {
    if (
      memextent.extentType !== MemextentType.BASIC || memextent.size !== VIRTIO_MMIO_PAGE_SIZE ||
      vqsNum > VIRTIO_MMIO_MAX_VQS
    ) {
      throwHypError(
        HypError.ERROR_ARGUMENT_INVALID,
        `need a BASIC one-page memextent and at most ${VIRTIO_MMIO_MAX_VQS} queues`,
      );
    }
    if ((flags & VIRTIO_OPTION_VALID_DEVICE_TYPE) !== 0n) {
      if (!VIRTIO_DEVICE_MODELS.has(deviceType)) {
        throwHypError(HypError.ERROR_ARGUMENT_INVALID, `device type ${deviceType} not supported`);
      }
      this.deviceType = deviceType;
    } else {
      this.deviceType = VIRTIO_DEVICE_TYPE_INVALID;
    }
    this.memextent?.put();
    this.memextent = memextent.get();
    this.vqsNum = vqsNum;
    this.flags = flags;
  }

  protected override onActivate(): HypError {
    const me = this.memextent;
    if (me === null) return HypError.ERROR_OBJECT_CONFIG;
    if (memextentVdevices.has(me)) return HypError.ERROR_BUSY;
    memextentVdevices.set(me, this);
    this.queueRegs = new Uint32Array(this.vqsNum * QUEUE_WORDS);
    this.#model = VIRTIO_DEVICE_MODELS.get(this.deviceType) ?? null;
    let err = this.#model?.activate(this) ?? HypError.OK;
    if (err === HypError.OK) {
      try {
        this.regs = me.attach();
        this.#view = new DataView(this.regs.buffer, this.regs.byteOffset, this.regs.byteLength);
      } catch (e) {
        if (!(e instanceof HypErrorException)) throw e;
        err = e.code;
      }
    }
    if (err !== HypError.OK) {
      memextentVdevices.delete(me);
      this.#release();
    }
    return err;
  }

  protected override onDeactivate(): void {
    this.backendSource.unbind();
    this.frontendSource.unbind();
    if (this.memextent !== null) memextentVdevices.delete(this.memextent);
  }

  protected override onCleanup(): void {
    this.#release();
  }

  #release(): void {
    if (this.regs !== null) this.memextent?.detach();
    this.regs = null;
    this.#view = null;
    this.queueRegs = new Uint32Array(0);
    this.vqsNum = 0;
    this.#model?.cleanup(this);
    this.#model = null;
    this.memextent?.put();
    this.memextent = null;
  }

  // -------------------------------------------------------------------------
  // Register page access
  // -------------------------------------------------------------------------

  /** Read a 32-bit register of the page (little-endian). */
  reg32(offset: number): number {
    return this.#view!.getUint32(offset, true);
  }

  /** Write a 32-bit register of the page (little-endian). */
  setReg32(offset: number, value: number): void {
    this.#view!.setUint32(offset, value >>> 0, true);
  }

  /** InterruptStatus (0 until active). */
  get interruptStatus(): number {
    return this.#view === null ? 0 : this.reg32(VIRTIO_MMIO_INTERRUPT_STATUS);
  }

  /** The Status register (0 until active). */
  get status(): number {
    return this.#view === null ? 0 : this.reg32(VIRTIO_MMIO_STATUS);
  }

  // -------------------------------------------------------------------------
  // VIRQ binding (HYP vic_bind_shared / vic_unbind_sync)
  // -------------------------------------------------------------------------

  /** Bind the backend source to shared VIRQ `virq` of `vic`. */
  bindBackendVirq(vic: Vic, virq: number): void {
    this.backendSource.bind(vic, sharedVirq(virq));
  }

  /** Bind the frontend source to shared VIRQ `virq` of `vic`. */
  bindFrontendVirq(vic: Vic, virq: number): void {
    this.frontendSource.bind(vic, sharedVirq(virq));
  }

  // -------------------------------------------------------------------------
  // Backend operations (the hypercalls; the object is ACTIVE)
  // -------------------------------------------------------------------------

  /** backend_assert_virq: OR `interruptStatus` into InterruptStatus and assert the backend VIRQ. */
  assertVirq(interruptStatus: number): void {
    if ((this.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) !== 0) {
      throwHypError(HypError.ERROR_DENIED, "the device awaits a reset acknowledgement");
    }
    this.setReg32(VIRTIO_MMIO_INTERRUPT_STATUS, this.interruptStatus | interruptStatus);
    this.backendSource.assert();
  }

  /**
   * backend_set_dev_features: word `sel` (0 or 1, else ARGUMENT_INVALID).
   * Word 1 must offer VIRTIO_F_VERSION_1 and VIRTIO_F_ACCESS_PLATFORM and
   * must not offer VIRTIO_F_NOTIFICATION_DATA, else ERROR_DENIED.
   */
  setDevFeatures(sel: number, features: number): void {
    if (sel >= VIRTIO_MMIO_DEV_FEAT_NUM) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `feature word ${sel}`);
    }
    if (sel === 1) {
      const required = (1 << (VIRTIO_F_VERSION_1 - 32)) | (1 << (VIRTIO_F_ACCESS_PLATFORM - 32));
      const forbidden = 1 << (VIRTIO_F_NOTIFICATION_DATA - 32);
      if ((features & required) !== required || (features & forbidden) !== 0) {
        throwHypError(
          HypError.ERROR_DENIED,
          "feature word 1 needs VERSION_1 and ACCESS_PLATFORM, not NOTIFICATION_DATA",
        );
      }
    }
    this.devFeatures[sel] = features;
  }

  /** backend_set_queue_num_max: queue `sel` (< vqs_num, else ARGUMENT_INVALID). */
  setQueueNumMax(sel: number, numMax: number): void {
    this.#queue(sel);
    this.queueRegs[sel * QUEUE_WORDS + QueueWord.NUM_MAX] = numMax;
  }

  /** backend_get_drv_features: word `sel` (0 or 1, else ARGUMENT_INVALID). */
  drvFeatureWord(sel: number): number {
    if (sel >= VIRTIO_MMIO_DRV_FEAT_NUM) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `feature word ${sel}`);
    }
    return this.drvFeatures[sel];
  }

  /** The banked register `word` of queue `sel` (< vqs_num, else ARGUMENT_INVALID). */
  queueWord(sel: number, word: QueueWord): number {
    this.#queue(sel);
    return this.queueRegs[sel * QUEUE_WORDS + word];
  }

  #queue(sel: number): void {
    if (sel >= this.vqsNum) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `queue ${sel} of ${this.vqsNum}`);
    }
  }

  /** backend_get_notification: take (and clear) the notified queues and the reasons. */
  takeNotification(): { vqsBitmap: bigint; reason: number } {
    const out = { vqsBitmap: this.vqsBitmap, reason: this.notifyReason };
    this.vqsBitmap = 0n;
    this.notifyReason = 0;
    this.frontendSource.update();
    return out;
  }

  /** backend_acknowledge_reset: Status becomes 0 (the reset is complete). */
  acknowledgeReset(): void {
    this.setReg32(VIRTIO_MMIO_STATUS, 0);
  }

  /** backend_update_status: OR `value` into Status. */
  updateStatus(value: number): void {
    this.setReg32(VIRTIO_MMIO_STATUS, this.status | value);
  }

  // -------------------------------------------------------------------------
  // The frontend's writes (HYP vdevice.c)
  // -------------------------------------------------------------------------

  /**
   * A frontend write of `size` bytes at page offset `offset`. Returns true
   * when emulated, false when the access faults (HYP
   * VCPU_TRAP_RESULT_FAULT: the frontend gets an abort). Word writes are
   * allowed anywhere, byte writes only in the config space; every access
   * must be size-aligned.
   */
  frontendWrite(offset: number, size: number, value: number): boolean {
    if (this.#view === null) return false;
    if ((offset & (size - 1)) !== 0) return false;
    const inConfig = offset >= VIRTIO_MMIO_CONFIG &&
      offset < VIRTIO_MMIO_CONFIG + VIRTIO_MMIO_CONFIG_BYTES;
    if (size !== 4 && !(size === 1 && inConfig)) return false;
    const v = value >>> 0;
    const q = this.queueSel * QUEUE_WORDS;
    const banked = this.vqsNum > 0;
    switch (offset) {
      case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        if (v >= VIRTIO_MMIO_DEV_FEAT_NUM) return false;
        this.setReg32(VIRTIO_MMIO_DEVICE_FEATURES, this.devFeatures[v]);
        return true;
      case VIRTIO_MMIO_DRIVER_FEATURES:
        this.drvFeatures[this.drvFeatSel] = v;
        return true;
      case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        if (v >= VIRTIO_MMIO_DRV_FEAT_NUM) return false;
        this.drvFeatSel = v;
        return true;
      case VIRTIO_MMIO_QUEUE_SEL:
        if (v >= this.vqsNum) return false;
        this.queueSel = v;
        this.setReg32(
          VIRTIO_MMIO_QUEUE_NUM_MAX,
          this.queueRegs[v * QUEUE_WORDS + QueueWord.NUM_MAX],
        );
        this.setReg32(VIRTIO_MMIO_QUEUE_READY, this.queueRegs[v * QUEUE_WORDS + QueueWord.READY]);
        return true;
      case VIRTIO_MMIO_QUEUE_READY:
        this.setReg32(VIRTIO_MMIO_QUEUE_READY, v);
        if (banked) this.queueRegs[q + QueueWord.READY] = v;
        return true;
      case VIRTIO_MMIO_QUEUE_NOTIFY:
        this.vqsBitmap |= v < 64 ? 1n << BigInt(v) : 0n;
        this.notifyReason |= VIRTIO_NOTIFY_NEW_BUFFER;
        this.frontendSource.assert();
        return true;
      case VIRTIO_MMIO_INTERRUPT_ACK:
        this.setReg32(VIRTIO_MMIO_INTERRUPT_STATUS, this.interruptStatus & ~v);
        this.backendSource.update();
        return true;
      case VIRTIO_MMIO_STATUS:
        return this.#writeStatus(v);
      case VIRTIO_MMIO_QUEUE_NUM:
      case VIRTIO_MMIO_QUEUE_DESC_LOW:
      case VIRTIO_MMIO_QUEUE_DESC_HIGH:
      case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
      case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
      case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
      case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        if (banked) this.queueRegs[q + QUEUE_WORD_OF_OFFSET[offset]] = v;
        return true;
      default:
        return this.#configWrite(offset, v, size);
    }
  }

  #configWrite(offset: number, value: number, size: number): boolean {
    if (this.#model !== null) return this.#model.configWrite(this, offset, value, size);
    if (offset < VIRTIO_MMIO_CONFIG || offset >= VIRTIO_MMIO_CONFIG + VIRTIO_MMIO_CONFIG_BYTES) {
      return false;
    }
    for (let i = 0; i < size; i++) this.regs![offset + i] = (value >>> (8 * i)) & 0xff;
    return true;
  }

  #writeStatus(v: number): boolean {
    const old = this.status;
    if (v !== 0) {
      this.setReg32(VIRTIO_MMIO_STATUS, v);
      let reason = 0;
      if ((old & VIRTIO_STATUS_DRIVER_OK) === 0 && (v & VIRTIO_STATUS_DRIVER_OK) !== 0) {
        reason = VIRTIO_NOTIFY_DRIVER_OK;
      } else if ((old & VIRTIO_STATUS_FAILED) === 0 && (v & VIRTIO_STATUS_FAILED) !== 0) {
        reason = VIRTIO_NOTIFY_FAILED;
      }
      if (reason !== 0) {
        this.notifyReason |= reason;
        this.frontendSource.assert();
      }
      return true;
    }
    // The first 0 written to a zero Status is not a reset request.
    if (old === 0) return true;
    this.setReg32(VIRTIO_MMIO_STATUS, old | VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    this.notifyReason |= VIRTIO_NOTIFY_RESET_RQST;
    for (let i = 0; i < this.vqsNum; i++) this.queueRegs[i * QUEUE_WORDS + QueueWord.READY] = 0;
    this.setReg32(VIRTIO_MMIO_QUEUE_READY, 0);
    // HYP answers the write with the result of asserting the VIRQ: an
    // unbound frontend source makes the write fault.
    if (!this.frontendSource.bound) return false;
    this.frontendSource.assert();
    return true;
  }
}

/** Banked queue word written at each per-queue register offset. */
const QUEUE_WORD_OF_OFFSET: Readonly<Record<number, QueueWord>> = {
  [VIRTIO_MMIO_QUEUE_NUM]: QueueWord.NUM,
  [VIRTIO_MMIO_QUEUE_DESC_LOW]: QueueWord.DESC_LOW,
  [VIRTIO_MMIO_QUEUE_DESC_HIGH]: QueueWord.DESC_HIGH,
  [VIRTIO_MMIO_QUEUE_DRIVER_LOW]: QueueWord.DRV_LOW,
  [VIRTIO_MMIO_QUEUE_DRIVER_HIGH]: QueueWord.DRV_HIGH,
  [VIRTIO_MMIO_QUEUE_DEVICE_LOW]: QueueWord.DEV_LOW,
  [VIRTIO_MMIO_QUEUE_DEVICE_HIGH]: QueueWord.DEV_HIGH,
};

/** A `virq_t` argument as a shared binding (HYP `vic_bind_shared`). */
function sharedVirq(virq: number): VirqInfo {
  return { virq, vcpuIndex: 0 };
}
