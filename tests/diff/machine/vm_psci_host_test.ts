import { assertEquals } from "../../assert.ts";
import { PsciAffinityState, PsciReturn } from "@gunyah-ts/core/abi";
import { createPsciService } from "@gunyah-ts/core";
import { VmPsciHost } from "./vm_psci_host.ts";

function call(host: VmPsciHost, caller: number, ...x: bigint[]): bigint {
  const regs = new BigUint64Array(8);
  x.forEach((v, i) => regs[i] = v);
  const handled = createPsciService<number>(host)(caller, Number(regs[0]), regs, "hvc");
  return handled ? BigInt.asIntN(64, regs[0]) : 999n;
}

Deno.test("VmPsciHost: CPU_ON powers a secondary on once, as QEMU answers", () => {
  const started: string[] = [];
  const host = new VmPsciHost(2, { powerOn: (i, e, c) => started.push(`${i}@${e}:${c}`) });
  assertEquals(call(host, 0, 0xc4000003n, 0n, 0x4000_0000n, 0n), BigInt(PsciReturn.ALREADY_ON));
  assertEquals(call(host, 0, 0xc4000003n, 1n, 0x4000_1000n, 7n), BigInt(PsciReturn.SUCCESS));
  assertEquals(started, ["1@1073745920:7"]);
  assertEquals(call(host, 0, 0xc4000003n, 1n, 0x4000_1000n, 7n), BigInt(PsciReturn.ALREADY_ON));
  assertEquals(
    call(host, 0, 0xc4000003n, 2n, 0x4000_0000n, 0n),
    BigInt(PsciReturn.INVALID_PARAMETERS),
  );
});

Deno.test("VmPsciHost: AFFINITY_INFO follows CPU_ON/CPU_OFF; the last CPU may not power off", () => {
  const host = new VmPsciHost(2, { powerOn: () => {} });
  assertEquals(call(host, 0, 0xc4000004n, 1n, 0n), BigInt(PsciAffinityState.OFF));
  call(host, 0, 0xc4000003n, 1n, 0x4000_0000n, 0n);
  assertEquals(call(host, 0, 0xc4000004n, 1n, 0n), BigInt(PsciAffinityState.ON));
  call(host, 1, 0x84000002n);
  assertEquals(call(host, 0, 0xc4000004n, 1n, 0n), BigInt(PsciAffinityState.OFF));
  assertEquals(call(host, 0, 0x84000002n), BigInt(PsciReturn.DENIED));
  assertEquals(call(host, 0, 0xc4000004n, 5n, 0n), BigInt(PsciReturn.INVALID_PARAMETERS));
});

Deno.test("VmPsciHost: SYSTEM_OFF is recorded", () => {
  const host = new VmPsciHost(1, { powerOn: () => {} });
  assertEquals(host.request, "none");
  call(host, 0, 0x84000008n);
  assertEquals(host.request, "off");
});
