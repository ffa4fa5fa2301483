/**
 * Differential decode test against GNU binutils: random words from the
 * integer, branch and integer load/store encoding classes are disassembled
 * by `aarch64-linux-gnu-objdump` and decoded here; the two must agree on
 * which words are instructions, except for features this CPU does not
 * advertise (listed below) and for the CONSTRAINED UNPREDICTABLE writeback
 * overlaps we execute as QEMU does. Skipped when objdump is not installed.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { DATA, Harness } from "../cpu/test_asm.ts";
import { R_SP } from "../cpu/state.ts";
import { a64Decoder } from "./a64.ts";

const OBJDUMP = "aarch64-linux-gnu-objdump";
const haveObjdump = (() => {
  try {
    return new Deno.Command(OBJDUMP, { args: ["--version"] }).outputSync().success;
  } catch {
    return false;
  }
})();

/**
 * Mnemonics binutils accepts that belong to features ID_AA64* does not
 * advertise: PAuth (LDRAA/LDRAB, BRAA/BRAB/RETAA/...), LOR (LDLAR/STLLR), MTE
 * (STG, LDG, ADDG, ...), LRCPC2 (LDAPUR/STLUR), CSSC (SMAX/UMIN immediate, CTZ, CNT, ABS),
 * HBC (BC.cond), LSE (CAS, SWP, LDADD, STADD, ...), LRCPC (LDAPR), MOPS
 * (CPY*, SET*), TME (TCANCEL), FlagM (RMIF, SETF), LS64 (ST64B, LD64B),
 * PAuth data forms (AUT*, PAC*, XPAC*), MTE (IRG, GMI, SUBP), and DCPS1-3
 * (UNDEFINED outside Debug state).
 */
const NOT_ADVERTISED =
  /^(ldra[ab]|bra[ab]|blra|reta|eretaa|stllr|ldlar|stz?2?g$|ldg$|addg|subg|ldapur|stlur|[su](max|min)$|bc\.|casp?|swp|ld(add|clr|eor|set|smax|smin|umax|umin)|cpy|set[gpme]|tcancel|dcps|ldapr|st(add|clr|eor|set|smax|smin|umax|umin)|irg|gmi|subps?$|cmpp|rmif|setf|st64b|ld64b|aut|pac|xpac|ctz|cnt$|abs$)/;

/**
 * Encodings binutils rejects that we execute, each a CONSTRAINED UNPREDICTABLE
 * case resolved as documented in isa/loadstore: pair writeback with Rn == Rt
 * or Rt2, LDP/LDPSW with Rt == Rt2, and LDAR/STLR with Rs/Rt2 other than
 * 0b11111 (should-be-one fields).
 */
function constrainedUnpredictable(w: number): boolean {
  const n = (w >>> 5) & 31, t = w & 31, t2 = (w >>> 10) & 31;
  if (((w >>> 25) & 0x1d) === 0x14) { // load/store pair, V = 0
    const load = ((w >>> 22) & 1) === 1, writeback = ((w >>> 23) & 1) === 1;
    return (writeback && n !== 31 && (n === t || n === t2)) || (load && t === t2);
  }
  return ((w >>> 23) & 0x7f) === 0x11 && ((w >>> 21) & 1) === 0 && ((w >>> 15) & 1) === 1; // LDAR/STLR
}

/** Random words forced into one of the classes owned by these groups. */
function words(count: number): Uint32Array {
  const w = new Uint32Array(count);
  let s = 0x2545f491;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    let v = s >>> 0;
    switch (i % 4) {
      case 0: // op0 = 100x: data processing (immediate)
        v = (v & ~(0xe << 25)) | (0x8 << 25);
        break;
      case 1: // op0 = 101x: branches (the system space is excluded below)
        v = (v & ~(0xe << 25)) | (0xa << 25);
        break;
      case 2: // op0 = x1x0 with V = 0: loads and stores
        v = (v & ~(0x5 << 25) & ~(1 << 26)) | (0x4 << 25);
        break;
      default: // op0 = x101: data processing (register)
        v = (v & ~(0x7 << 25)) | (0x5 << 25);
    }
    w[i] = v >>> 0;
  }
  return w;
}

Deno.test({
  name: "decoder agrees with binutils on which integer/branch/load-store words are instructions",
  ignore: !haveObjdump,
  fn() {
    const ws = words(20000);
    const file = Deno.makeTempFileSync();
    Deno.writeFileSync(file, new Uint8Array(ws.buffer));
    const out = new TextDecoder().decode(
      new Deno.Command(OBJDUMP, { args: ["-D", "-b", "binary", "-m", "aarch64", file] })
        .outputSync().stdout,
    );
    Deno.removeSync(file);
    const d = a64Decoder();
    const h = new Harness();
    h.cpu.sys.vbarLo = 0x40004000;
    const disagreements: string[] = [];
    let checked = 0;
    for (const line of out.split("\n")) {
      const m = line.match(/^\s+[0-9a-f]+:\t([0-9a-f]{8}) \t(.*)$/);
      if (m === null) continue;
      const w = parseInt(m[1], 16) >>> 0;
      if ((w >>> 22) === 0x354) continue; // system instructions (isa/system)
      checked++;
      const mnemonic = m[2].trim().split(/\s+/)[0];
      const theirs = !(mnemonic === ".inst" || mnemonic === "udf");
      const ours = d.lookup(w) !== null;
      if (theirs && !ours && !NOT_ADVERTISED.test(mnemonic)) {
        disagreements.push(`${m[1]}: binutils "${m[2]}", we UNDEFINED`);
      }
      if (!theirs && ours) {
        // Reserved field values are found by the handler: it must take UNDEFINED.
        for (let r = 0; r < 31; r++) {
          h.cpu.xlo[r] = DATA + 0x100;
          h.cpu.xhi[r] = 0;
        }
        h.cpu.xlo[R_SP] = DATA + 0x100;
        h.cpu.sys.esr = 0;
        h.exec(w);
        if (h.cpu.sys.esr !== 0x02000000 && !constrainedUnpredictable(w)) {
          disagreements.push(`${m[1]}: binutils undefined, we execute ${d.nameOf(w)}`);
        }
      }
    }
    assertEquals(checked > 18000, true);
    assertEquals(disagreements.slice(0, 60), []);
  },
});
