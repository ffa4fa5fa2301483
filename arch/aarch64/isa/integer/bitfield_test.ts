import { assertEquals } from "@gunyah-ts/tests/assert";
import { bitfield, extr, Harness, operands, u64 } from "../../cpu/test_asm.ts";

const h = new Harness();

/** The Arm ARM pseudocode of SBFM/BFM/UBFM (DecodeBitMasks with immediate = FALSE), in BigInt. */
function refBitfield(
  opc: number,
  bits: number,
  immr: number,
  imms: number,
  src: bigint,
  dst: bigint,
): bigint {
  const M = (1n << BigInt(bits)) - 1n;
  const ones = (n: number) => (1n << BigInt(n)) - 1n;
  const ror = (x: bigint, r: number) =>
    r === 0 ? x : ((x >> BigInt(r)) | (x << BigInt(bits - r))) & M;
  // esize = datasize for the bitfield instructions (N = sf)
  const s = imms, r = immr;
  const d = (s - r) & (bits - 1);
  const welem = ones(s + 1);
  const telem = ones(d + 1);
  const wmask = ror(welem, r);
  const tmask = telem;
  const x = src & M;
  const bot = opc === 1 ? ((dst & M) & ~wmask) | (ror(x, r) & wmask) : ror(x, r) & wmask;
  const top = opc === 0 ? ((x >> BigInt(s)) & 1n ? M : 0n) : opc === 1 ? dst & M : 0n;
  return ((top & ~tmask) | (bot & tmask)) & M;
}

Deno.test("SBFM/BFM/UBFM match the Arm pseudocode for all immr/imms (sampled sources)", () => {
  const srcs = [...operands(6)];
  for (const sf of [0, 1]) {
    const bits = sf ? 64 : 32;
    for (let opc = 0; opc < 3; opc++) {
      for (let immr = 0; immr < bits; immr++) {
        for (let imms = 0; imms < bits; imms++) {
          const src = srcs[(immr * 7 + imms) % srcs.length];
          const dst = srcs[(immr + imms * 3 + 5) % srcs.length];
          h.x(1, src);
          h.x(0, dst);
          h.exec(bitfield(sf, opc, immr, imms, 1, 0));
          const expect = refBitfield(opc, bits, immr, imms, src, dst);
          if (h.getX(0) !== expect) {
            assertEquals(
              h.getX(0),
              expect,
              `sf ${sf} opc ${opc} immr ${immr} imms ${imms} src ${src.toString(16)}`,
            );
          }
        }
      }
    }
  }
});

Deno.test("bitfield aliases: LSL, LSR, ASR, SXTB, SXTW, UXTH, UBFX, BFI, BFXIL, BFC", () => {
  h.x(1, 0x80000000000000f1n);
  h.exec(bitfield(1, 2, 64 - 4, 63 - 4, 1, 0)); // lsl x0, x1, #4
  assertEquals(h.getX(0), 0xf10n);
  h.exec(bitfield(1, 2, 4, 63, 1, 0)); // lsr x0, x1, #4
  assertEquals(h.getX(0), 0x080000000000000fn);
  h.exec(bitfield(1, 0, 4, 63, 1, 0)); // asr x0, x1, #4
  assertEquals(h.getX(0), 0xf80000000000000fn);
  h.exec(bitfield(1, 0, 0, 7, 1, 0)); // sxtb x0, w1
  assertEquals(h.getX(0), 0xfffffffffffffff1n);
  h.exec(bitfield(0, 0, 0, 7, 1, 0)); // sxtb w0, w1
  assertEquals(h.getX(0), 0xfffffff1n);
  h.x(1, 0x0000000080000000n);
  h.exec(bitfield(1, 0, 0, 31, 1, 0)); // sxtw x0, w1
  assertEquals(h.getX(0), 0xffffffff80000000n);
  h.x(1, 0xabcd1234n);
  h.exec(bitfield(0, 2, 0, 15, 1, 0)); // uxth w0, w1
  assertEquals(h.getX(0), 0x1234n);
  h.exec(bitfield(0, 2, 8, 15, 1, 0)); // ubfx w0, w1, #8, #8
  assertEquals(h.getX(0), 0x12n);
  h.x(0, 0xffffffffffffffffn);
  h.x(1, 0x5n);
  h.exec(bitfield(1, 1, 64 - 60, 3, 1, 0)); // bfi x0, x1, #60, #4
  assertEquals(h.getX(0), 0x5fffffffffffffffn);
  h.x(0, 0n);
  h.x(1, 0xabcdn);
  h.exec(bitfield(1, 1, 4, 11, 1, 0)); // bfxil x0, x1, #4, #8
  assertEquals(h.getX(0), 0xbcn);
  h.x(0, 0xffffffffn);
  h.exec(bitfield(0, 1, 32 - 8, 7, 31, 0)); // bfc w0, #8, #8
  assertEquals(h.getX(0), 0xffff00ffn);
  h.cpu.sys.esr = 0;
  h.exec(bitfield(0, 2, 32, 0, 1, 0)); // 32-bit with immr >= 32: reserved
  assertEquals(h.cpu.sys.esr, 0x02000000);
});

Deno.test("EXTR and ROR (immediate)", () => {
  const n = 0x0123456789abcdefn, m = 0xfedcba9876543210n;
  for (let lsb = 0; lsb < 64; lsb++) {
    h.x(1, n);
    h.x(2, m);
    h.exec(extr(1, 2, lsb, 1, 0));
    assertEquals(h.getX(0), u64(((n << 64n) | m) >> BigInt(lsb)), `lsb ${lsb}`);
  }
  for (let lsb = 0; lsb < 32; lsb++) {
    h.exec(extr(0, 2, lsb, 1, 0));
    const w = (((n & 0xffffffffn) << 32n) | (m & 0xffffffffn)) >> BigInt(lsb);
    assertEquals(h.getX(0), w & 0xffffffffn, `w lsb ${lsb}`);
  }
  h.x(1, 0x1n);
  h.exec(extr(1, 1, 1, 1, 0)); // ror x0, x1, #1
  assertEquals(h.getX(0), 0x8000000000000000n);
});
