import { assertEquals } from "../../assert.ts";
import { PsciAffinityState, PsciReturn } from "../../../arch/aarch64/psci/function_ids.ts";
import { createPsciService } from "../../../arch/aarch64/psci/service.ts";
import { SingleVcpuPsciHost } from "./single_vm_psci.ts";

function call(host: SingleVcpuPsciHost, ...x: bigint[]): bigint {
  const regs = new BigUint64Array(8);
  x.forEach((v, i) => regs[i] = v);
  const handled = createPsciService<null>(host)(null, Number(regs[0]), regs, "hvc");
  return handled ? BigInt.asIntN(64, regs[0]) : 999n;
}

Deno.test("SingleVcpuPsciHost: CPU_ON answers as QEMU does for a one-CPU machine", () => {
  const host = new SingleVcpuPsciHost();
  assertEquals(call(host, 0xc4000003n, 0n, 0x4000_0000n, 0n), BigInt(PsciReturn.ALREADY_ON));
  assertEquals(
    call(host, 0xc4000003n, 1n, 0x4000_0000n, 0n),
    BigInt(PsciReturn.INVALID_PARAMETERS),
  );
});

Deno.test("SingleVcpuPsciHost: AFFINITY_INFO and SYSTEM_OFF", () => {
  const host = new SingleVcpuPsciHost();
  assertEquals(call(host, 0xc4000004n, 0n, 0n), BigInt(PsciAffinityState.ON));
  assertEquals(call(host, 0xc4000004n, 2n, 0n), BigInt(PsciReturn.INVALID_PARAMETERS));
  assertEquals(host.request, "none");
  call(host, 0x84000008n);
  assertEquals(host.request, "off");
});
