/**
 * The A64 integer load/store instructions (Arm ARM C4.1.94 "Loads and
 * Stores", general-register forms).
 *
 * @module
 */
import type { EncodingEntry } from "../../decode/entry.ts";
import { entries as exclusive } from "./exclusive.ts";
import { entries as literal } from "./literal.ts";
import { entries as pair } from "./pair.ts";
import { entries as single } from "./single.ts";

/** All integer load/store encodings. */
export const entries: EncodingEntry[] = [...single, ...literal, ...pair, ...exclusive];
