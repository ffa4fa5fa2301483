import { assertEquals } from "@gunyah-ts/tests/assert";
import { errorFromRegister, HypError } from "../abi/error.ts";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import { SmcccOwner } from "../abi/smccc.ts";
import { createTestCore } from "./test_fixture.ts";
import { REGISTER_MINUS_ONE } from "./table.ts";

function regs(...values: (number | bigint)[]): BigUint64Array {
  const r = new BigUint64Array(8);
  values.forEach((v, i) => (r[i] = BigInt.asUintN(64, BigInt(v))));
  return r;
}

Deno.test("SMCCC: vendor-hyp CALL_UID returns the Gunyah UUID words; REVISION returns hyp_api_info", () => {
  const core = createTestCore();
  const r = regs(0x8600ff01);
  core.dispatcher.dispatchHvc(core.ctx, 0, r);
  assertEquals(Array.from(r.subarray(0, 4)), [0xcd8fd5c1n, 0xdb5f53a4n, 0x36ce6592n, 0x145f3d67n]);
  const rev = regs(0x8600ff03);
  core.dispatcher.dispatchSmc(core.ctx, 0, rev);
  assertEquals(rev[0], 0x5100000000008001n);
  // CALL_COUNT is deprecated → -1.
  const cnt = regs(0x8600ff00);
  core.dispatcher.dispatchHvc(core.ctx, 0, cnt);
  assertEquals(cnt[0], REGISTER_MINUS_ONE);
  // SERVICE class requires SMC32: the SMC64 form is unknown.
  const uid64 = regs(0xc600ff01);
  core.dispatcher.dispatchHvc(core.ctx, 0, uid64);
  assertEquals(uid64[0], REGISTER_MINUS_ONE);
});

Deno.test("SMCCC: ARCH version and features, STANDARD_HYP uid and revision", () => {
  const core = createTestCore();
  const v = regs(0x80000000);
  core.dispatcher.dispatchHvc(core.ctx, 0, v);
  assertEquals(v[0], 0x10003n);
  for (
    const [q, want] of [
      [0x80000000, 0n],
      [0x80000001, 0n],
      [0x8500ff01, 0n],
      [0x8500ff03, 0n],
      [0xc0000000, REGISTER_MINUS_ONE],
      [0x84000000, REGISTER_MINUS_ONE],
      [0x80008000, REGISTER_MINUS_ONE],
    ] as const
  ) {
    const f = regs(0x80000001, q);
    core.dispatcher.dispatchHvc(core.ctx, 0, f);
    assertEquals(f[0], want, `ARCH_FEATURES(0x${q.toString(16)})`);
  }
  const uid = regs(0x8500ff01);
  core.dispatcher.dispatchHvc(core.ctx, 0, uid);
  assertEquals(uid[0], 0xcd8fd5c1n);
  const rev = regs(0x8500ff03);
  core.dispatcher.dispatchHvc(core.ctx, 0, rev);
  assertEquals([rev[0], rev[1]], [1n, 0n]);
});

Deno.test("SMCCC: hypercall class must be fast SMC64; res0 bits must be zero", () => {
  const core = createTestCore();
  const ok = regs(0xc6008000);
  core.dispatcher.dispatchHvc(core.ctx, 0, ok);
  assertEquals(ok[0], 0x5100000000008001n); // hypervisor_identify through SMCCC
  for (const bad of [0x86008000, 0x46008000, 0x06008000, 0xc6028000, 0xc6fe8000]) {
    const r = regs(bad);
    core.dispatcher.dispatchHvc(core.ctx, 0, r);
    assertEquals(r[0], REGISTER_MINUS_ONE, `0x${bad.toString(16)}`);
  }
  // Vendor-hyp PLATFORM_CALL and class 0b01 are unknown here.
  for (const id of [0xc6000001, 0xc6004001]) {
    const r = regs(id);
    core.dispatcher.dispatchHvc(core.ctx, 0, r);
    assertEquals(r[0], REGISTER_MINUS_ONE);
  }
});

Deno.test("SMCCC: registered services serve their owner; unknown owners and immediates → -1", () => {
  const core = createTestCore();
  const psciVersion = regs(0x84000000);
  core.dispatcher.dispatchSmc(core.ctx, 0, psciVersion);
  assertEquals(psciVersion[0], REGISTER_MINUS_ONE);
  core.dispatcher.registerSmcccService(SmcccOwner.STANDARD, (_ctx, id, r, conduit) => {
    if (id !== 0x84000000) return false;
    r[0] = conduit === "smc" ? 0x10001n : 0x10000n;
    return true;
  });
  const v = regs(0x84000000);
  core.dispatcher.dispatchSmc(core.ctx, 0, v);
  assertEquals(v[0], 0x10001n);
  const other = regs(0x84000099);
  core.dispatcher.dispatchHvc(core.ctx, 0, other);
  assertEquals(other[0], REGISTER_MINUS_ONE);
  const sip = regs(0x82000000);
  core.dispatcher.dispatchHvc(core.ctx, 0, sip);
  assertEquals(sip[0], REGISTER_MINUS_ONE);
  const imm = regs(0xc6008000, 7);
  core.dispatcher.dispatchSmc(core.ctx, 1, imm);
  assertEquals(imm[0], REGISTER_MINUS_ONE);
  const hvc5 = regs(1, 2);
  core.dispatcher.dispatchHvc(core.ctx, 5, hvc5);
  assertEquals(hvc5[0], REGISTER_MINUS_ONE);
  assertEquals(hvc5[1], 2n);
});

Deno.test("hypervisor_identify: variant 0x51, API 1, 64-bit LE, FPRR, flags for implemented calls", () => {
  const core = createTestCore();
  for (const form of ["native", "smccc"] as const) {
    const { r } = form === "native"
      ? core.hvcNative(Hypercall.HYPERVISOR_IDENTIFY)
      : core.hvcSmccc(Hypercall.HYPERVISOR_IDENTIFY);
    assertEquals(r[0], 0x5100000000008001n);
    assertEquals(Number(r[1] >> 28n), 1); // FPRR
    assertEquals(Number(r[1] & 1n), 1); // partition + cspace
    assertEquals([r[2], r[3]], [0n, 0n]);
  }
});

Deno.test("unimplemented and unregistered numbers answer ERROR_UNIMPLEMENTED in both forms", () => {
  const core = createTestCore();
  for (
    const n of [
      Hypercall.PARTITION_CREATE_PARTITION,
      Hypercall.OBJECT_RESET,
      Hypercall.OBJECT_RESET_FROM,
      Hypercall.CSPACE_REVOKE_CAP_FROM,
      0x08,
      0x16,
      0x1e,
      0x1ff,
    ]
  ) {
    assertEquals(core.hvcNative(n, 1n, 2n).err, HypError.ERROR_UNIMPLEMENTED);
    assertEquals(core.hvcSmccc(n, 1n, 2n).err, HypError.ERROR_UNIMPLEMENTED);
  }
  assertEquals(errorFromRegister(REGISTER_MINUS_ONE), -1);
});
