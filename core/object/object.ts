/**
 * The object header every Gunyah object carries, and its lifecycle.
 *
 * Semantics follow HYP `hyp/core/object_standard/templates/object.c.tmpl`
 * (gunyah-abi.md §2.2):
 *
 * - A new object is INIT and holds one reference, which the cap list adopts
 *   when the master cap is created.
 * - `activate()` is allowed only from INIT (else ERROR_OBJECT_STATE); it runs
 *   the type's activate hook; success → ACTIVE, any error → FAILED (and the
 *   error is returned, e.g. ERROR_OBJECT_CONFIG for a missing configuration).
 * - Configure calls require INIT ({@link GunyahObject.requireInit}).
 * - When the last reference goes (last valid cap deleted, last binding
 *   dropped) the state becomes DESTROYING; an ACTIVE object runs its
 *   deactivate hook first; then the cleanup hook releases its resources.
 *
 * @module
 */
import { HypError, HypErrorException } from "../abi/error.ts";
import { ObjectState, ObjectType, objectTypeName } from "./object_type.ts";
import type { Cap } from "../cspace/cap.ts";
import type { Partition } from "./partition/partition.ts";

/** Receives lifecycle notifications (the hypervisor forwards them to its event bus). */
export interface ObjectLifecycleObserver {
  created?(object: GunyahObject): void;
  activated?(object: GunyahObject): void;
  destroyed?(object: GunyahObject): void;
}

/** Base of every Gunyah object (the `object_header`). */
export abstract class GunyahObject {
  /** The object's type. */
  abstract readonly type: ObjectType;
  /** Lifecycle state. */
  state: ObjectState = ObjectState.INIT;
  /** References: one for the cap list while any valid cap exists, plus one per holder. */
  refcount = 1;
  /** Partition the object was allocated from (`null` only for the root partition). */
  readonly partition: Partition | null;
  /**
   * Valid caps that name this object: the master cap first, each copy right
   * after the cap it was copied from (HYP `object_header.cap_list`).
   */
  readonly capList: Cap[] = [];
  /** A deterministic number for diagnostics: creation order within the root partition's tree. */
  readonly serial: number;

  constructor(partition: Partition | null) {
    this.partition = partition;
    this.serial = partition ? partition.allocateSerial() : 0;
  }

  /** Type-specific activation (allocate buffers, take memory ownership, ...). */
  protected onActivate(): HypError {
    return HypError.OK;
  }

  /** Type-specific deactivation of an ACTIVE object that is being destroyed. */
  protected onDeactivate(): void {}

  /** Type-specific release of resources, for every destroyed object. */
  protected onCleanup(): void {}

  /** INIT → ACTIVE through the type's activate hook; see the module comment. */
  activate(): HypError {
    if (this.state !== ObjectState.INIT) return HypError.ERROR_OBJECT_STATE;
    const err = this.onActivate();
    this.state = err === HypError.OK ? ObjectState.ACTIVE : ObjectState.FAILED;
    if (err === HypError.OK) this.partition?.observer?.activated?.(this);
    return err;
  }

  /** Throw ERROR_OBJECT_STATE unless the object is still INIT (configure calls). */
  requireInit(): void {
    if (this.state !== ObjectState.INIT) {
      throw new HypErrorException(HypError.ERROR_OBJECT_STATE, `${this.describeName()} not INIT`);
    }
  }

  /** Throw ERROR_OBJECT_STATE unless the object is ACTIVE. */
  requireActive(): void {
    if (this.state !== ObjectState.ACTIVE) {
      throw new HypErrorException(HypError.ERROR_OBJECT_STATE, `${this.describeName()} not ACTIVE`);
    }
  }

  /** Take an additional reference. */
  get(): this {
    if (this.refcount <= 0) throw new Error(`${this.describeName()}: get() on a destroyed object`);
    this.refcount++;
    return this;
  }

  /** Drop a reference; the last one destroys the object. */
  put(): void {
    if (this.refcount <= 0) throw new Error(`${this.describeName()}: put() without a reference`);
    if (--this.refcount === 0) this.destroy();
  }

  private destroy(): void {
    const old = this.state;
    this.state = ObjectState.DESTROYING;
    if (old === ObjectState.ACTIVE) this.onDeactivate();
    this.onCleanup();
    this.partition?.observer?.destroyed?.(this);
  }

  /** e.g. `"msgqueue#12"`. */
  describeName(): string {
    return `${objectTypeName(this.type)}#${this.serial}`;
  }
}
