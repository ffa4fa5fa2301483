/**
 * The A64 integer data-processing instructions (Arm ARM C4.1.92 "Data
 * Processing -- Immediate" and C4.1.95 "Data Processing -- Register").
 *
 * @module
 */
import type { EncodingEntry } from "../../decode/entry.ts";
import { entries as addSub } from "./add_sub.ts";
import { entries as bitfield } from "./bitfield.ts";
import { entries as conditional } from "./conditional.ts";
import { entries as dp1 } from "./data_processing_1source.ts";
import { entries as dp2 } from "./data_processing_2source.ts";
import { entries as dp3 } from "./data_processing_3source.ts";
import { entries as logical } from "./logical.ts";
import { entries as moveWide } from "./move_wide.ts";
import { entries as pcRelative } from "./pc_relative.ts";

/** All integer data-processing encodings. */
export const entries: EncodingEntry[] = [
  ...pcRelative,
  ...addSub,
  ...logical,
  ...moveWide,
  ...bitfield,
  ...conditional,
  ...dp1,
  ...dp2,
  ...dp3,
];
