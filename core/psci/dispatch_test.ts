/**
 * PSCI registered with the core's SMCCC dispatcher, called as a guest would:
 * `hvc #0` with the function ID in X0.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import type { HypercallContext } from "../hypercall/context.ts";
import { createTestCore } from "../testing/mod.ts";
import { PsciAffinityState, PsciReturn } from "../abi/psci.ts";
import { SmcccOwner } from "../abi/smccc.ts";
import type { PsciHost } from "./host.ts";
import { createPsciService } from "./service.ts";

class RecordingHost implements PsciHost<HypercallContext> {
  readonly calls: string[] = [];
  cpuOn(_c: HypercallContext, target: bigint): PsciReturn {
    this.calls.push(`on ${target}`);
    return target === 1n ? PsciReturn.SUCCESS : PsciReturn.INVALID_PARAMETERS;
  }
  cpuOff(): PsciReturn {
    return PsciReturn.DENIED;
  }
  cpuSuspend(): PsciReturn {
    return PsciReturn.SUCCESS;
  }
  affinityInfo(): PsciAffinityState {
    return PsciAffinityState.OFF;
  }
  systemOff(): void {
    this.calls.push("off");
  }
  systemReset(): void {
    this.calls.push("reset");
  }
}

function hvc0(core: ReturnType<typeof createTestCore>, ...x: bigint[]): bigint {
  const regs = new BigUint64Array(8);
  x.forEach((v, i) => (regs[i] = BigInt.asUintN(64, v)));
  core.dispatcher.dispatchHvc(core.ctx, 0, regs);
  return BigInt.asIntN(64, regs[0]);
}

Deno.test("PSCI served through the SMCCC dispatcher as owner STANDARD (hvc #0)", () => {
  const core = createTestCore();
  const host = new RecordingHost();
  core.dispatcher.registerSmcccService(SmcccOwner.STANDARD, createPsciService(host));
  assertEquals(hvc0(core, 0x84000000n), 0x10001n);
  assertEquals(hvc0(core, 0xc4000003n, 1n, 0x40080000n, 0n), 0n);
  assertEquals(hvc0(core, 0xc4000003n, 5n, 0x40080000n, 0n), -2n);
  assertEquals(hvc0(core, 0x84000008n), -6n, "SYSTEM_OFF returned: failure code left in X0");
  assertEquals(host.calls, ["on 1", "on 5", "off"]);
  assertEquals(hvc0(core, 0x84000013n), -1n, "MEM_PROTECT not supported");
  assertEquals(hvc0(core, 0x84000050n), -1n, "not PSCI: the dispatcher answers -1");
});
