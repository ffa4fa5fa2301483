/**
 * The one-bit-per-INTID register blocks (IGROUPR, ISENABLER/ICENABLER,
 * ISPENDR/ICPENDR, ISACTIVER/ICACTIVER) and the two-bit ICFGR words, shared
 * by the distributor (GICD_*, SPIs) and the redistributors' SGI_base frame
 * (GICR_*0, SGIs and PPIs), which use the same offsets (IHI 0069 §12.9,
 * §12.11).
 *
 * @module
 */
import type { InterruptState } from "./interrupt_state.ts";
import {
  GICD_ICACTIVER,
  GICD_ICENABLER,
  GICD_ICPENDR,
  GICD_IGROUPR,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ISPENDR,
} from "./registers.ts";

/**
 * Read the bitmap register word for state word `word` of the block starting
 * at `block` (one of the GICD_I*R offsets; GICR_*0 offsets are the same).
 */
export function readBitmapWord(state: InterruptState, block: number, word: number): number {
  let value = 0;
  switch (block) {
    case GICD_IGROUPR:
      value = state.group[word];
      break;
    case GICD_ISENABLER:
    case GICD_ICENABLER:
      value = state.enabled[word];
      break;
    case GICD_ISPENDR:
    case GICD_ICPENDR:
      value = state.latch[word] | (state.line[word] & ~state.edge[word]);
      break;
    case GICD_ISACTIVER:
    case GICD_ICACTIVER:
      value = state.active[word];
      break;
  }
  return (value & state.valid[word]) >>> 0;
}

/**
 * Write the bitmap register word: IGROUPR replaces, the set-enable/pending/
 * active registers OR in ones, the clear registers clear where ones are
 * written (IHI 0069 §12.9.x "write 1 to set/clear, 0 has no effect"). Returns
 * true if any state changed.
 */
export function writeBitmapWord(
  state: InterruptState,
  block: number,
  word: number,
  value: number,
): boolean {
  const target = writtenState(state, block);
  if (target === null) return false;
  const bits = value & state.valid[word];
  const old = target[word];
  let next: number;
  if (block === GICD_IGROUPR) next = bits;
  else if (block === GICD_ICENABLER || block === GICD_ICPENDR || block === GICD_ICACTIVER) {
    next = old & ~bits;
  } else next = old | bits;
  next >>>= 0;
  if (old === next) return false;
  target[word] = next;
  return true;
}

/**
 * The state words a write to `block` changes: both registers of a
 * set/clear pair act on the same bits (pending ones on the latch), or null
 * for an offset that is no bitmap block.
 */
function writtenState(state: InterruptState, block: number): Uint32Array | null {
  switch (block) {
    case GICD_IGROUPR:
      return state.group;
    case GICD_ISENABLER:
    case GICD_ICENABLER:
      return state.enabled;
    case GICD_ISPENDR:
    case GICD_ICPENDR:
      return state.latch;
    case GICD_ISACTIVER:
    case GICD_ICACTIVER:
      return state.active;
    default:
      return null;
  }
}

/**
 * Read an ICFGR word: the 16 interrupts at bits `bitBase .. bitBase+15` of
 * state word `word`, two bits each, bit 2i+1 set for edge-triggered.
 */
export function readConfigWord(state: InterruptState, word: number, bitBase: number): number {
  const edge = (state.edge[word] & state.valid[word]) >>> bitBase;
  let value = 0;
  for (let i = 0; i < 16; i++) {
    if ((edge >>> i) & 1) value |= 2 << (2 * i);
  }
  return value >>> 0;
}

/**
 * Write an ICFGR word (see {@link readConfigWord}). Interrupts whose bit is
 * set in `fixedEdge` (a mask over the state word, e.g. the SGIs) stay
 * edge-triggered whatever is written.
 */
export function writeConfigWord(
  state: InterruptState,
  word: number,
  bitBase: number,
  value: number,
  fixedEdge: number,
): void {
  let edge = state.edge[word];
  for (let i = 0; i < 16; i++) {
    const b = 1 << (bitBase + i);
    if ((value >>> (2 * i + 1)) & 1) edge |= b;
    else edge &= ~b;
  }
  state.edge[word] = ((edge & state.valid[word]) | fixedEdge) >>> 0;
}
