/**
 * The cspace object: a table of capabilities with opaque, per-cspace CapIDs.
 *
 * Semantics follow HYP `hyp/core/cspace_twolevel/src/cspace_twolevel.c` and
 * `hypercalls.c` (gunyah-abi.md §2.3-§2.4):
 *
 * - `configure(max_caps)` while INIT; more than the supported maximum is
 *   ERROR_ARGUMENT_INVALID; activation without a configured `max_caps` is
 *   ERROR_OBJECT_CONFIG.
 * - Allocating a cap beyond `max_caps` is ERROR_CSPACE_FULL.
 * - Lookup: an ID that does not decode is ERROR_ARGUMENT_INVALID; an empty
 *   slot ERROR_CSPACE_CAP_NULL; a revoked cap ERROR_CSPACE_CAP_REVOKED; the
 *   wrong type ERROR_CSPACE_WRONG_OBJECT_TYPE; any missing required right
 *   ERROR_CSPACE_INSUFFICIENT_RIGHTS; with `activeOnly`, an object that is not
 *   ACTIVE ERROR_OBJECT_STATE.
 * - Copy masks the rights (zero result → INSUFFICIENT_RIGHTS), is never a
 *   master cap, and is placed after its parent in the object's cap list.
 * - Revoke (from the master cap only) marks every other cap of the object
 *   REVOKED; such caps stay in their cspaces until deleted.
 * - The object's creation reference is held by its cap list; deleting the
 *   last valid cap drops it.
 *
 * @example
 * ```ts
 * import { CAP_RIGHTS_PARTITION_OBJECT_CREATE } from "../abi/rights.ts";
 * import { ObjectType } from "../object/object_type.ts";
 * import { createTestCore } from "../hypercall/test_fixture.ts";
 * const { rootCspace, partitionCap } = createTestCore();
 * // Throws HypErrorException(ERROR_CSPACE_INSUFFICIENT_RIGHTS etc.) on failure.
 * const partition = rootCspace.lookup(partitionCap, ObjectType.PARTITION, CAP_RIGHTS_PARTITION_OBJECT_CREATE);
 * ```
 *
 * @module
 */
import { HypError, throwHypError } from "../abi/error.ts";
import { GunyahObject } from "../object/object.ts";
import { masterRights, ObjectState, ObjectType } from "../object/object_type.ts";
import type { Partition } from "../object/partition/partition.ts";
import { Cap, CapState } from "./cap.ts";
import { CapIdEncoder, CSPACE_MAX_CAP_COUNT_SUPPORTED } from "./cap_id.ts";
import type { DeterministicRandom } from "./prng.ts";

/** A capability space. */
export class Cspace extends GunyahObject {
  readonly type = ObjectType.CSPACE;
  /** The CapID encoder (random base and multiplier of this cspace). */
  readonly ids: CapIdEncoder;
  /** Configured capacity (0 until configured). */
  maxCaps = 0;
  #slots: (Cap | undefined)[] = [];
  #count = 0;

  constructor(partition: Partition | null, random: DeterministicRandom) {
    super(partition);
    this.ids = new CapIdEncoder(random);
  }

  /** Number of occupied slots (valid and revoked caps). */
  get capCount(): number {
    return this.#count;
  }

  /** cspace_configure: set `max_caps` (INIT only). */
  configure(maxCaps: number): void {
    this.requireInit();
    if (!Number.isInteger(maxCaps) || maxCaps < 0 || maxCaps > CSPACE_MAX_CAP_COUNT_SUPPORTED) {
      throwHypError(
        HypError.ERROR_ARGUMENT_INVALID,
        `max_caps ${maxCaps} > ${CSPACE_MAX_CAP_COUNT_SUPPORTED}`,
      );
    }
    this.maxCaps = maxCaps;
  }

  protected override onActivate(): HypError {
    return this.maxCaps !== 0 ? HypError.OK : HypError.ERROR_OBJECT_CONFIG;
  }

  protected override onCleanup(): void {
    for (const cap of this.#slots) {
      if (cap) this.#release(cap);
    }
    this.#slots = [];
    this.#count = 0;
  }

  #allocateSlot(): number {
    if (this.#count >= this.maxCaps) {
      throwHypError(HypError.ERROR_CSPACE_FULL, `${this.maxCaps} caps in use`);
    }
    let i = 0;
    while (this.#slots[i] !== undefined) i++;
    this.#count++;
    return i;
  }

  /**
   * Insert the master cap of a newly created object (all rights of its type
   * plus OBJECT_ACTIVATE). The object's creation reference is adopted by its
   * cap list. Throws ERROR_CSPACE_FULL (the caller still owns the reference).
   */
  createMasterCap(object: GunyahObject): bigint {
    const index = this.#allocateSlot();
    const cap = new Cap(
      this,
      index,
      this.ids.encode(index),
      object,
      masterRights(object.type),
      true,
    );
    this.#slots[index] = cap;
    object.capList.unshift(cap);
    return cap.id;
  }

  /** The slot named by `capId` (any state), or a thrown ARGUMENT_INVALID / CAP_NULL. */
  #slot(capId: bigint): Cap {
    const index = this.ids.decode(capId);
    if (index < 0) {
      throwHypError(HypError.ERROR_ARGUMENT_INVALID, `CapID 0x${capId.toString(16)} invalid`);
    }
    const cap = this.#slots[index];
    if (!cap) {
      throwHypError(HypError.ERROR_CSPACE_CAP_NULL, `CapID 0x${capId.toString(16)} is empty`);
    }
    return cap;
  }

  /** HYP `cspace_check_cap_data`: state, type (unless `type` is null = any), rights. */
  static #throwIfError(cap: Cap, type: ObjectType | null, rights: number): GunyahObject {
    if (cap.state === CapState.REVOKED || cap.object === null) {
      throwHypError(HypError.ERROR_CSPACE_CAP_REVOKED, `cap 0x${cap.id.toString(16)} revoked`);
    }
    if (type !== null && cap.type !== type) {
      throwHypError(HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE, `cap names a ${ObjectType[cap.type]}`);
    }
    if (((cap.rights & rights) >>> 0) !== (rights >>> 0)) {
      throwHypError(
        HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
        `rights 0x${cap.rights.toString(16)} lack 0x${(rights >>> 0).toString(16)}`,
      );
    }
    return cap.object;
  }

  /**
   * Look up an object of `type` whose cap has every bit of `rights`. With
   * `activeOnly` (the default, like HYP's typed lookups) the object must be
   * ACTIVE. Throws {@link HypErrorException} with the exact Gunyah error.
   */
  lookup<T extends GunyahObject = GunyahObject>(
    capId: bigint,
    type: ObjectType,
    rights: number,
    activeOnly = true,
  ): T {
    const object = Cspace.#throwIfError(this.#slot(capId), type, rights);
    if (activeOnly && object.state !== ObjectState.ACTIVE) {
      throwHypError(
        HypError.ERROR_OBJECT_STATE,
        `${object.describeName()} is ${ObjectState[object.state]}`,
      );
    }
    return object as T;
  }

  /** Look up an object of any type and state (HYP `cspace_lookup_object_any`). */
  lookupAny(capId: bigint, rights: number): GunyahObject {
    return Cspace.#throwIfError(this.#slot(capId), null, rights);
  }

  /** The cap itself (for inspection and tests); throws like {@link lookup}. */
  capOf(capId: bigint): Cap {
    return this.#slot(capId);
  }

  /**
   * Copy the cap `srcCapId` of `src` into this cspace with rights
   * `parent rights & rightsMask`. Returns the new CapID.
   */
  copyCapFrom(src: Cspace, srcCapId: bigint, rightsMask: number): bigint {
    const index = this.#allocateSlot();
    try {
      const parent = src.#slot(srcCapId);
      const object = Cspace.#throwIfError(parent, null, 0);
      const rights = (parent.rights & rightsMask) >>> 0;
      if (rights === 0) {
        throwHypError(HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS, "copy would have no rights");
      }
      const cap = new Cap(this, index, this.ids.encode(index), object, rights, false);
      this.#slots[index] = cap;
      const at = object.capList.indexOf(parent);
      object.capList.splice(at + 1, 0, cap);
      return cap.id;
    } catch (e) {
      this.#count--;
      throw e;
    }
  }

  /** Delete a valid or revoked cap; deleting the object's last valid cap drops its reference. */
  deleteCap(capId: bigint): void {
    const cap = this.#slot(capId);
    this.#slots[cap.index] = undefined;
    this.#count--;
    this.#release(cap);
  }

  #release(cap: Cap): void {
    const object = cap.object;
    const wasValid = cap.state === CapState.VALID;
    cap.state = CapState.NULL;
    cap.object = null;
    if (!wasValid || object === null) return;
    const list = object.capList;
    list.splice(list.indexOf(cap), 1);
    if (list.length === 0) object.put();
  }

  /**
   * cspace_revoke_caps: `masterCapId` must be a valid master cap in this
   * cspace (else ERROR_CSPACE_INSUFFICIENT_RIGHTS); every other cap of the
   * object, in any cspace, becomes REVOKED.
   */
  revokeCapsFrom(masterCapId: bigint): void {
    const master = this.#slot(masterCapId);
    const object = Cspace.#throwIfError(master, null, 0);
    if (!master.master) {
      throwHypError(HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS, "not a master cap");
    }
    for (const cap of object.capList.slice()) {
      if (cap === master) continue;
      cap.state = CapState.REVOKED;
      cap.object = null;
    }
    object.capList.length = 0;
    object.capList.push(master);
  }
}
