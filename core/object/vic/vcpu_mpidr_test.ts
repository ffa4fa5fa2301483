import { assertEquals } from "@gunyah-ts/tests/assert";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import { PsciAffinityState, PsciReturn } from "../../abi/psci.ts";
import { SchedulerBlock } from "../../sched/scheduler_block.ts";
import { TEST_VM_RAM_BASE, TEST_VM_RAM_SIZE, TestSystem } from "../../hypervisor/testing/setup.ts";
import { testMpidrOf as mpidrOf } from "../../hypervisor/testing/setup.ts";
import { vcpuMpidrAffinity } from "./vcpu_mpidr.ts";

const ENTRY = BigInt(TEST_VM_RAM_BASE + 0x1000);

/** A VM of `n` vCPUs whose vic gets `mapping` (vgic_set_mpidr_mapping arguments) before activation. */
function vmWithMapping(sys: TestSystem, n: number, mapping: bigint[]) {
  const hv = sys.hv;
  const p = hv.rootPartitionCap, cs = hv.rootCspaceCap;
  const as = sys.ok(Hypercall.PARTITION_CREATE_ADDRSPACE, p, cs, 0n)[1];
  sys.ok(Hypercall.ADDRSPACE_CONFIGURE, as, 1n);
  sys.ok(Hypercall.OBJECT_ACTIVATE, as);
  const me = sys.ok(Hypercall.PARTITION_CREATE_MEMEXTENT, p, cs, 0n)[1];
  sys.ok(
    Hypercall.MEMEXTENT_CONFIGURE,
    me,
    BigInt(TEST_VM_RAM_BASE),
    BigInt(TEST_VM_RAM_SIZE),
    7n,
    0n,
  );
  sys.ok(Hypercall.OBJECT_ACTIVATE, me);
  // Kernel and user RWX, stage-2 normal write-back memory.
  const attrs = 7n | (7n << 4n) | (0xfn << 16n);
  sys.ok(Hypercall.ADDRSPACE_MAP, as, me, BigInt(TEST_VM_RAM_BASE), attrs, 0n, 0n, 0n);
  const vic = sys.ok(Hypercall.PARTITION_CREATE_VIC, p, cs, 0n)[1];
  sys.ok(Hypercall.VIC_CONFIGURE, vic, BigInt(n), 32n, 0n, 0n);
  sys.ok(Hypercall.VGIC_SET_MPIDR_MAPPING, vic, ...mapping);
  sys.ok(Hypercall.OBJECT_ACTIVATE, vic);
  const vcpus = [];
  for (let i = 0; i < n; i++) {
    const v = sys.createVcpu({ affinity: 0, addrspace: as }, false);
    sys.ok(Hypercall.VIC_ATTACH_VCPU, vic, v.cap, BigInt(i));
    sys.ok(Hypercall.OBJECT_ACTIVATE, v.cap);
    vcpus.push(v);
  }
  return vcpus;
}

Deno.test("a vic's MPIDR mapping gives its vCPUs their MPIDR and is what PSCI addresses them by", () => {
  const sys = new TestSystem({ [String(ENTRY)]: [{ op: "wfi" }] });
  // Aff0 bit 0 = index bit 0, Aff1 bits 1:0 = index bits 2:1.
  const vcpus = vmWithMapping(sys, 4, [0x0301n, 0n, 1n, 0n, 0n, 0n]);
  assertEquals(sys.arch.vcpus.map((v) => v.init.mpidr), [0x000, 0x001, 0x100, 0x101]);
  assertEquals(
    vcpus.map((v) => vcpuMpidrAffinity(v.thread.vic, v.thread.vcpuIndex, mpidrOf)),
    [0x000, 0x001, 0x100, 0x101],
  );
  sys.ok(Hypercall.VCPU_POWERON, vcpus[0].cap, ENTRY, 0n, 0n);
  const ctx = sys.hv.contextOf(vcpus[0].thread);
  // Under the default layout index 2 would be MPIDR 2; here 2 names nothing.
  assertEquals(sys.hv.psci.cpuOn(ctx, 2n, ENTRY, 0n), PsciReturn.INVALID_PARAMETERS);
  assertEquals(sys.hv.psci.affinityInfo(ctx, 0x100n, 0), PsciAffinityState.OFF);
  assertEquals(sys.hv.psci.cpuOn(ctx, 0x100n, ENTRY, 0n), PsciReturn.SUCCESS);
  assertEquals(sys.hv.psci.affinityInfo(ctx, 0x100n, 0), PsciAffinityState.ON);
  assertEquals(vcpus[2].thread.isBlocked(SchedulerBlock.VCPU_OFF), false);
});

Deno.test("without a mapping the platform's assignment applies", () => {
  const sys = new TestSystem({ [String(ENTRY)]: [{ op: "wfi" }] });
  const vm = sys.createVm(2);
  assertEquals(sys.arch.vcpus.map((v) => v.init.mpidr), [0, 1]);
  assertEquals(vcpuMpidrAffinity(vm.vcpus[1].thread.vic, 17, mpidrOf), 0x101);
  assertEquals(vcpuMpidrAffinity(null, 3, (i) => i * 10), 30);
});
