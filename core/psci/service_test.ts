import { assertEquals } from "@gunyah-ts/tests/assert";
import { PsciAffinityState, PsciReturn } from "../abi/psci.ts";
import { SmcccOwner } from "../abi/smccc.ts";
import type { PsciHost } from "./host.ts";
import { createPsciService, psciImplements } from "./service.ts";

/** A fake VM: vCPUs by MPIDR with a power state; records what PSCI asked for. */
class FakeHost implements PsciHost<string> {
  readonly on = new Map<bigint, boolean>([[0n, true], [1n, false], [0x100n, false]]);
  readonly log: string[] = [];
  cpuOn(caller: string, target: bigint, entry: bigint, context: bigint): PsciReturn {
    this.log.push(`on ${caller} ${target} ${entry} ${context}`);
    const state = this.on.get(target);
    if (state === undefined) return PsciReturn.INVALID_PARAMETERS;
    if (state) return PsciReturn.ALREADY_ON;
    this.on.set(target, true);
    return PsciReturn.SUCCESS;
  }
  cpuOff(caller: string): PsciReturn {
    this.log.push(`off ${caller}`);
    return PsciReturn.DENIED;
  }
  cpuSuspend(caller: string, powerState: number, entry: bigint, context: bigint): PsciReturn {
    this.log.push(`suspend ${caller} ${powerState} ${entry} ${context}`);
    return PsciReturn.SUCCESS;
  }
  affinityInfo(_caller: string, target: bigint, level: number): PsciAffinityState | PsciReturn {
    if (level !== 0) return PsciReturn.INVALID_PARAMETERS;
    const state = this.on.get(target);
    if (state === undefined) return PsciReturn.INVALID_PARAMETERS;
    return state ? PsciAffinityState.ON : PsciAffinityState.OFF;
  }
  systemOff(caller: string): void {
    this.log.push(`system_off ${caller}`);
  }
  systemReset(caller: string): void {
    this.log.push(`system_reset ${caller}`);
  }
}

/** Call PSCI as an SMCCC dispatcher would: X0 = function ID, X1.. arguments. */
function call(host: FakeHost, fid: number, ...args: bigint[]): { handled: boolean; x0: bigint } {
  const psci = createPsciService(host);
  const regs = new BigUint64Array(8);
  regs[0] = BigInt(fid >>> 0);
  args.forEach((a, i) => (regs[i + 1] = BigInt.asUintN(64, a)));
  const handled = psci("vcpu0", fid >>> 0, regs, "hvc");
  return { handled, x0: BigInt.asIntN(64, regs[0]) };
}

Deno.test("PSCI_VERSION is 1.1; MIGRATE_INFO_TYPE is 2; MIGRATE is not supported", () => {
  const host = new FakeHost();
  assertEquals(call(host, 0x84000000), { handled: true, x0: 0x10001n });
  assertEquals(call(host, 0x84000006).x0, 2n);
  assertEquals(call(host, 0x84000005).x0, -1n);
  assertEquals(call(host, 0xc4000005).x0, -1n);
  assertEquals(call(host, 0x84000007).x0, -1n);
});

Deno.test("CPU_ON: success, ALREADY_ON, INVALID_PARAMETERS for an unknown or malformed MPIDR", () => {
  const host = new FakeHost();
  assertEquals(call(host, 0xc4000003, 1n, 0x4008_0000n, 0x1234n).x0, 0n);
  assertEquals(host.log.at(-1), "on vcpu0 1 1074266112 4660");
  assertEquals(call(host, 0xc4000003, 1n, 0x4008_0000n, 0n).x0, -4n, "already on");
  assertEquals(call(host, 0xc4000003, 0n, 0x4008_0000n, 0n).x0, -4n, "caller itself");
  assertEquals(call(host, 0xc4000003, 7n, 0x4008_0000n, 0n).x0, -2n, "no such vCPU");
  assertEquals(call(host, 0xc4000003, 1n << 24n, 0n, 0n).x0, -2n, "bits 31:24 are not affinity");
  assertEquals(call(host, 0xc4000003, 1n << 40n, 0n, 0n).x0, -2n);
});

Deno.test("CPU_ON SMC32 form takes 32-bit arguments", () => {
  const host = new FakeHost();
  assertEquals(
    call(host, 0x84000003, 0xffff_ffff_0000_0100n, 0xdead_0000_4000_0000n, 0x1_0000_0007n).x0,
    0n,
  );
  assertEquals(host.log.at(-1), "on vcpu0 256 1073741824 7");
});

Deno.test("AFFINITY_INFO reports ON/OFF, validates the level and the affinity", () => {
  const host = new FakeHost();
  assertEquals(call(host, 0xc4000004, 0n, 0n).x0, 0n);
  assertEquals(call(host, 0xc4000004, 1n, 0n).x0, 1n);
  assertEquals(call(host, 0x84000004, 0x100n, 0n).x0, 1n);
  assertEquals(call(host, 0xc4000004, 0n, 4n).x0, -2n, "level above 3");
  assertEquals(call(host, 0xc4000004, 0n, 1n).x0, -2n, "host refuses level 1");
  assertEquals(call(host, 0xc4000004, 9n, 0n).x0, -2n);
});

Deno.test("CPU_OFF and CPU_SUSPEND reach the host; reserved power_state bits are refused", () => {
  const host = new FakeHost();
  assertEquals(call(host, 0x84000002).x0, -3n, "host denied");
  assertEquals(host.log.at(-1), "off vcpu0");
  assertEquals(call(host, 0xc4000001, 0x10000n, 0x4000_1000n, 5n).x0, 0n);
  assertEquals(host.log.at(-1), "suspend vcpu0 65536 1073745920 5");
  assertEquals(call(host, 0xc4000001, 1n << 20n, 0n, 0n).x0, -2n);
  assertEquals(call(host, 0x84000001, 0n, 0x1_0000_2000n, 0n).x0, 0n);
  assertEquals(host.log.at(-1), "suspend vcpu0 0 8192 0", "SMC32: entry truncated");
});

Deno.test("SYSTEM_OFF / SYSTEM_RESET call the host", () => {
  const host = new FakeHost();
  call(host, 0x84000008);
  call(host, 0x84000009);
  assertEquals(host.log, ["system_off vcpu0", "system_reset vcpu0"]);
});

Deno.test("PSCI_FEATURES: implemented IDs 0, CPU_SUSPEND flags, SMCCC_VERSION, others -1", () => {
  const host = new FakeHost();
  const features = (fid: number) => call(host, 0x8400000a, BigInt(fid)).x0;
  for (
    const fid of [
      0x84000000,
      0x84000002,
      0x84000003,
      0xc4000003,
      0x84000004,
      0xc4000004,
      0x84000006,
      0x84000008,
      0x84000009,
      0x8400000a,
    ]
  ) {
    assertEquals(features(fid), 0n, `0x${fid.toString(16)}`);
  }
  assertEquals(features(0xc4000001), 0n, "CPU_SUSPEND: original format, no OSI");
  assertEquals(features(0x80000000), 0n, "SMCCC_VERSION is available");
  for (const fid of [0x84000005, 0xc400000e, 0x84000012, 0xc4000000, 0x8400000b, 0x12345678]) {
    assertEquals(features(fid), -1n, `0x${fid.toString(16)}`);
  }
});

Deno.test("unknown and foreign IDs: -1 within PSCI's range, not handled outside it", () => {
  const host = new FakeHost();
  assertEquals(call(host, 0x84000012), { handled: true, x0: -1n }, "SYSTEM_RESET2 not supported");
  assertEquals(call(host, 0x8400001f).x0, -1n);
  assertEquals(call(host, 0xc4000008).x0, -1n, "SYSTEM_OFF has no SMC64 form");
  assertEquals(call(host, 0x84000050).handled, false, "TRNG range is another service");
  assertEquals(call(host, 0x04000000).handled, false, "yielding call");
  assertEquals(call(host, 0x85000000).handled, false, "owner 5");
  assertEquals(psciImplements(0x84010000), false, "reserved bits set");
  assertEquals(SmcccOwner.STANDARD, 4);
});
