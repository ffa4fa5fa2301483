/**
 * Guest RAM as a virtio device reaches it: only through the VM's
 * {@link Stage2View}, with the stage-2 access rights checked. An address that
 * is not RAM, lacks the right, or a range that crosses out of one mapping is
 * a {@link VirtioError}, never a host exception of another kind, so the
 * transport can turn it into DEVICE_NEEDS_RESET.
 *
 * Where the VM's RAM is not in this process (a plugin run with
 * `isolate: process`, whose view offers {@link Stage2View.copy}) every access
 * is a copy the host checks against the VM's current stage-2; its refusal is
 * a VirtioError too.
 *
 * @module
 */
import {
  S2_ACCESS_R,
  S2_ACCESS_W,
  type Stage2Copy,
  type Stage2Mapping,
  type Stage2View,
} from "@gunyah-ts/core/plugin";

/** Whether typed arrays on this host are little-endian (virtio rings are). */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A guest-caused virtio error (malformed ring, bad address): the device needs a reset. */
export class VirtioError extends Error {
  /** The error's name. */
  override readonly name = "VirtioError";
}

/** Checked access to guest RAM through a {@link Stage2View}. */
export class GuestMemory {
  /** Guest memory through the VM's stage-2 `view`. */
  constructor(readonly view: Stage2View) {
    this.#copy = view.copy ?? null;
  }

  /** The host's copies, where the RAM is not in this process (else null). */
  readonly #copy: Stage2Copy | null;
  /** Scratch for small copied accesses (ring fields). */
  readonly #small = new Uint8Array(4);
  readonly #smallView = new DataView(this.#small.buffer);

  #copyIn(ipa: number, dst: Uint8Array): void {
    try {
      this.#copy!.read(ipa, dst);
    } catch (e) {
      throw new VirtioError((e as Error).message);
    }
  }

  #copyOut(ipa: number, src: Uint8Array): void {
    try {
      this.#copy!.write(ipa, src);
    } catch (e) {
      throw new VirtioError((e as Error).message);
    }
  }

  /** The mapping holding `[ipa, ipa + len)` with `access` rights, or throw {@link VirtioError}. */
  mapping(ipa: number, len: number, access: number): Stage2Mapping {
    if (!Number.isSafeInteger(ipa) || ipa < 0 || len < 0) {
      throw new VirtioError(`guest address 0x${ipa.toString(16)} is invalid`);
    }
    const m = this.view.lookup(ipa);
    if (m === null) throw new VirtioError(`guest address 0x${ipa.toString(16)} is not RAM`);
    if (ipa + len > m.ipaBase + m.size) {
      throw new VirtioError(
        `guest buffer 0x${ipa.toString(16)}+${len} crosses the end of its RAM mapping`,
      );
    }
    if ((m.access & access) !== access) {
      throw new VirtioError(
        `guest address 0x${ipa.toString(16)} lacks ${
          access === S2_ACCESS_W ? "write" : "read"
        } access`,
      );
    }
    return m;
  }

  /**
   * Check that `[ipa, ipa + len)` is guest RAM with `access` rights, or throw
   * {@link VirtioError}. Where the RAM is copied through the host, only the
   * numbers are checked here: the host checks each copy against the VM's
   * stage-2 as it is then (a mapping may go away in between anyway).
   */
  check(ipa: number, len: number, access: number): void {
    if (this.#copy === null) {
      this.mapping(ipa, len, access);
    } else if (!Number.isSafeInteger(ipa) || ipa < 0 || len < 0) {
      throw new VirtioError(`guest address 0x${ipa.toString(16)} is invalid`);
    }
  }

  /** Read a little-endian u16. */
  readU16(ipa: number): number {
    if (this.#copy !== null) {
      this.#copyIn(ipa, this.#small.subarray(0, 2));
      return this.#smallView.getUint16(0, true);
    }
    const m = this.mapping(ipa, 2, S2_ACCESS_R);
    return m.view.getUint16(m.offset + (ipa - m.ipaBase), true);
  }

  /** Read a little-endian u32. */
  readU32(ipa: number): number {
    if (this.#copy !== null) {
      this.#copyIn(ipa, this.#small);
      return this.#smallView.getUint32(0, true);
    }
    const m = this.mapping(ipa, 4, S2_ACCESS_R);
    return m.view.getUint32(m.offset + (ipa - m.ipaBase), true);
  }

  /** Write a little-endian u16. */
  writeU16(ipa: number, value: number): void {
    if (this.#copy !== null) {
      this.#smallView.setUint16(0, value, true);
      return this.#copyOut(ipa, this.#small.subarray(0, 2));
    }
    const m = this.mapping(ipa, 2, S2_ACCESS_W);
    m.view.setUint16(m.offset + (ipa - m.ipaBase), value, true);
  }

  /** Write a little-endian u32. */
  writeU32(ipa: number, value: number): void {
    if (this.#copy !== null) {
      this.#smallView.setUint32(0, value >>> 0, true);
      return this.#copyOut(ipa, this.#small);
    }
    const m = this.mapping(ipa, 4, S2_ACCESS_W);
    m.view.setUint32(m.offset + (ipa - m.ipaBase), value >>> 0, true);
  }

  /**
   * Write a little-endian u16 with release ordering (an `Atomics.store`), for
   * ring indices that publish what was written before them to a vCPU that
   * may run on another thread (an isolated device in a Worker).
   */
  publishU16(ipa: number, value: number): void {
    // A copy is applied by the host's thread while the VM's vCPUs wait for the device.
    if (this.#copy !== null) return this.writeU16(ipa, value);
    const m = this.mapping(ipa, 2, S2_ACCESS_W);
    const at = m.offset + (ipa - m.ipaBase) + m.bytes.byteOffset;
    const buf = m.bytes.buffer;
    if (at % 2 === 0 && buf instanceof SharedArrayBuffer && LITTLE_ENDIAN_HOST) {
      let halves = this.#halves.get(buf);
      if (halves === undefined) {
        halves = new Uint16Array(buf, 0, buf.byteLength >>> 1);
        this.#halves.set(buf, halves);
      }
      Atomics.store(halves, at >>> 1, value);
    } else {
      m.view.setUint16(m.offset + (ipa - m.ipaBase), value, true);
    }
  }

  readonly #halves = new WeakMap<SharedArrayBuffer, Uint16Array>();

  /** Copy `dst.length` bytes from guest `ipa` into `dst`. */
  read(ipa: number, dst: Uint8Array): void {
    if (this.#copy !== null) return this.#copyIn(ipa, dst);
    const m = this.mapping(ipa, dst.length, S2_ACCESS_R);
    const at = m.offset + (ipa - m.ipaBase);
    dst.set(m.bytes.subarray(at, at + dst.length));
  }

  /** Copy `src` into guest memory at `ipa`. */
  write(ipa: number, src: Uint8Array): void {
    if (this.#copy !== null) return this.#copyOut(ipa, src);
    const m = this.mapping(ipa, src.length, S2_ACCESS_W);
    m.bytes.set(src, m.offset + (ipa - m.ipaBase));
  }
}
