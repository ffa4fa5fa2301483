import { assertEquals } from "@gunyah-ts/tests/assert";
import { readBitmapWord, writeBitmapWord } from "./bitmap_regs.ts";
import { InterruptState } from "./interrupt_state.ts";
import {
  GICD_ICACTIVER,
  GICD_ICENABLER,
  GICD_ICPENDR,
  GICD_IGROUPR,
  GICD_IPRIORITYR,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ISPENDR,
} from "./registers.ts";

/** One vCPU (word 0: SGIs/PPIs) and 40 SPIs (words 1 and 2; only bits 0..7 of word 2 exist). */
function state(): InterruptState {
  return new InterruptState(1, 40);
}

Deno.test("writeBitmapWord: each set/clear pair sets and clears the same state bits", () => {
  const pairs: [number, number, (s: InterruptState) => Uint32Array][] = [
    [GICD_ISENABLER, GICD_ICENABLER, (s) => s.enabled],
    [GICD_ISPENDR, GICD_ICPENDR, (s) => s.latch],
    [GICD_ISACTIVER, GICD_ICACTIVER, (s) => s.active],
  ];
  for (const [set, clear, bitsOf] of pairs) {
    const s = state();
    assertEquals(writeBitmapWord(s, set, 1, 0x0000_00f0), true);
    assertEquals(writeBitmapWord(s, set, 1, 0x0000_0f00), true);
    assertEquals(bitsOf(s)[1], 0x0000_0ff0, "set ORs in ones");
    assertEquals(writeBitmapWord(s, set, 1, 0x0000_00f0), false, "no change, no update");
    assertEquals(writeBitmapWord(s, clear, 1, 0x0000_0030), true);
    assertEquals(bitsOf(s)[1], 0x0000_0fc0, "clear clears where ones are written");
    assertEquals(writeBitmapWord(s, clear, 1, 0x0000_0030), false);
    assertEquals(readBitmapWord(s, set, 1), 0x0000_0fc0);
    assertEquals(readBitmapWord(s, clear, 1), 0x0000_0fc0);
    assertEquals(writeBitmapWord(s, set, 2, 0xffff_ffff), true);
    assertEquals(bitsOf(s)[2], 0xff, "bits of INTIDs beyond the last SPI stay zero");
  }
});

Deno.test("writeBitmapWord: IGROUPR replaces the word; other offsets change nothing", () => {
  const s = state();
  assertEquals(writeBitmapWord(s, GICD_IGROUPR, 0, 0xffff_0000), true);
  assertEquals(writeBitmapWord(s, GICD_IGROUPR, 0, 0x0000_00ff), true);
  assertEquals(s.group[0], 0xff);
  assertEquals(writeBitmapWord(s, GICD_IGROUPR, 0, 0xff), false);
  assertEquals(readBitmapWord(s, GICD_IGROUPR, 0), 0xff);
  assertEquals(writeBitmapWord(s, GICD_IPRIORITYR, 0, 0xffff_ffff), false);
  assertEquals([s.group[0], s.enabled[0], s.latch[0], s.active[0]], [0xff, 0, 0, 0]);
});
