/**
 * The A64 Advanced SIMD instructions and the SIMD&FP register loads/stores.
 *
 * @module
 */
import type { EncodingEntry } from "../../decode/entry.ts";
import { entries as acrossLanes } from "./across_lanes.ts";
import { entries as byElement } from "./by_element.ts";
import { entries as copy } from "./copy.ts";
import { entries as fixedPoint } from "./fixed_point.ts";
import { entries as fpVector } from "./fp_vector.ts";
import { entries as loadStore } from "./loadstore.ts";
import { entries as modifiedImmediate } from "./modified_immediate.ts";
import { entries as permute } from "./permute.ts";
import { entries as saturating } from "./saturating.ts";
import { entries as shiftImmediate } from "./shift_immediate.ts";
import { entries as structure } from "./structure.ts";
import { entries as threeDifferent } from "./three_different.ts";
import { entries as threeSame } from "./three_same.ts";
import { entries as twoMisc } from "./two_misc.ts";

/** All AdvSIMD and SIMD&FP load/store encodings. */
export const entries: EncodingEntry[] = [
  ...loadStore,
  ...structure,
  ...threeSame,
  ...threeDifferent,
  ...twoMisc,
  ...acrossLanes,
  ...copy,
  ...modifiedImmediate,
  ...shiftImmediate,
  ...byElement,
  ...permute,
  ...fpVector,
  ...fixedPoint,
  ...saturating,
];
