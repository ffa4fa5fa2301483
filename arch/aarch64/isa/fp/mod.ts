/**
 * The A64 scalar floating-point instructions: data processing, compare,
 * select, immediate moves and conversions (semantics in ../../softfloat/).
 *
 * @module
 */
import type { EncodingEntry } from "../../decode/entry.ts";
import { entries as conversion } from "./convert.ts";
import { entries as scalar } from "./scalar.ts";

/** All scalar FP encodings. */
export const entries: EncodingEntry[] = [...scalar, ...conversion];
