/**
 * One capability slot (HYP `cap` / `cap_data` / `cap_info` in
 * `hyp/core/cspace_twolevel/cspace.tc`).
 *
 * @module
 */
import type { GunyahObject } from "../object/object.ts";
import type { ObjectType } from "../object/object_type.ts";
import type { Cspace } from "./cspace.ts";

/** `cap_state` (cap_info bits 1:0). */
export enum CapState {
  NULL = 0,
  VALID = 1,
  REVOKED = 2,
}

/** A capability: an object, a rights mask, and whether it is the object's master cap. */
export class Cap {
  /** The cspace this slot belongs to. */
  readonly cspace: Cspace;
  /** Flat slot index within the cspace. */
  readonly index: number;
  /** The guest-visible CapID. */
  readonly id: bigint;
  /** The named object; `null` once revoked (HYP clears the pointer too). */
  object: GunyahObject | null;
  /** Object type recorded in the cap (kept after revocation). */
  readonly type: ObjectType;
  /** 32-bit rights mask. */
  readonly rights: number;
  /** Master caps carry all rights and may revoke the object's other caps. */
  readonly master: boolean;
  state: CapState = CapState.VALID;

  constructor(
    cspace: Cspace,
    index: number,
    id: bigint,
    object: GunyahObject,
    rights: number,
    master: boolean,
  ) {
    this.cspace = cspace;
    this.index = index;
    this.id = id;
    this.object = object;
    this.type = object.type;
    this.rights = rights >>> 0;
    this.master = master;
  }
}
