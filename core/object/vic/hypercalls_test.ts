import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { HypError } from "../../abi/error.ts";
import { Hypercall } from "../../abi/hypercall_numbers.ts";
import { CAP_RIGHTS_VIC_BIND_SOURCE } from "../../abi/rights.ts";
import { type RecordingInterruptController, TestThread } from "../../hypercall/test_doubles.ts";
import { createTestCore, HYPERCALL_FORMS, type TestCore } from "../../hypercall/test_fixture.ts";
import { Addrspace } from "../addrspace/addrspace.ts";
import { Hwirq } from "../hwirq/hwirq.ts";
import { ObjectState, ObjectType } from "../object_type.ts";
import { VpmVcpuPower } from "../vpm_group/vpm_group.ts";
import type { VpmGroup } from "../vpm_group/vpm_group.ts";
import type { Vic } from "./vic.ts";

function hv(core: TestCore, form: typeof HYPERCALL_FORMS[number]) {
  return (n: number, ...args: bigint[]) =>
    form === "native" ? core.hvcNative(n, ...args) : core.hvcSmccc(n, ...args);
}

function create(core: TestCore, n: number): bigint {
  const r = core.call(n, core.partitionCap, core.cspaceCap);
  assertEquals(r.err, 0);
  return r.r[1];
}

for (const form of HYPERCALL_FORMS) {
  Deno.test(`[${form}] vic: configure rules, controller at activation, attach vCPUs`, () => {
    const core = createTestCore();
    core.factories.register(ObjectType.THREAD, (p) => new TestThread(p));
    const call = hv(core, form);
    const vic = create(core, Hypercall.PARTITION_CREATE_VIC);
    assertEquals(
      call(Hypercall.VIC_CONFIGURE, vic, 0n, 32n, 0n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.VIC_CONFIGURE, vic, 2n, 989n, 0n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.VIC_CONFIGURE, vic, 2n, 32n, 4n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(
      call(Hypercall.VIC_CONFIGURE, vic, 2n, 32n, 1n, 8n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(call(Hypercall.VIC_CONFIGURE, vic, 2n, 32n, 2n, 0n).err, 0);
    const th = create(core, Hypercall.PARTITION_CREATE_THREAD);
    assertEquals(call(Hypercall.VIC_ATTACH_VCPU, vic, th, 0n).err, HypError.ERROR_OBJECT_STATE);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, vic).err, 0);
    const vicObj = core.rootCspace.lookup<Vic>(vic, ObjectType.VIC, 0);
    assert(core.controllers.has(vicObj));
    assertEquals(call(Hypercall.VIC_ATTACH_VCPU, vic, th, 2n).err, HypError.ERROR_ARGUMENT_INVALID);
    assertEquals(call(Hypercall.VIC_ATTACH_VCPU, vic, th, 1n).err, 0);
    const thread = core.rootCspace.lookupAny(th, 0) as TestThread;
    assertEquals(thread.vic, { vic: vicObj, index: 1 });
    assertEquals(vicObj.vcpu(1), null); // the slot is taken at activation
    // A second thread may attach at the same index; the conflict shows at activation.
    const th2 = create(core, Hypercall.PARTITION_CREATE_THREAD);
    assertEquals(call(Hypercall.VIC_ATTACH_VCPU, vic, th2, 1n).err, 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, th).err, 0);
    assertEquals(vicObj.vcpu(1), thread);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, th2).err, HypError.ERROR_BUSY);
    assertEquals(
      call(Hypercall.VIC_ATTACH_VCPU, vic, vic, 0n).err,
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
    const th3 = create(core, Hypercall.PARTITION_CREATE_THREAD);
    const bindOnly = core.rootCspace.copyCapFrom(core.rootCspace, vic, CAP_RIGHTS_VIC_BIND_SOURCE);
    assertEquals(
      call(Hypercall.VIC_ATTACH_VCPU, bindOnly, th3, 0n).err,
      HypError.ERROR_CSPACE_INSUFFICIENT_RIGHTS,
    );
    assertEquals(call(Hypercall.VIC_ATTACH_VCPU, vic, th, 0n).err, HypError.ERROR_OBJECT_STATE);
    // Deleting the active thread's last cap frees its slot.
    assertEquals(call(Hypercall.CSPACE_DELETE_CAP_FROM, core.cspaceCap, th).err, 0);
    assertEquals(vicObj.vcpu(1), null);
    // Without any controller the vic cannot activate.
    const bare = createTestCore();
    const v = bare.rootCspace.lookup<Vic>(
      create(bare, Hypercall.PARTITION_CREATE_VIC),
      ObjectType.VIC,
      0,
      false,
    );
    v.configure(1, 988, 0n, 0);
    const small = { spiCount: 4, setLine() {}, pulse() {}, hasPending: () => false };
    v.setController(small);
    assertEquals(v.activate(), HypError.ERROR_OBJECT_CONFIG);
    assertEquals(v.state, ObjectState.FAILED);
  });

  Deno.test(`[${form}] vic as a vdevice: GICD and GICR frames`, () => {
    const core = createTestCore();
    core.factories.register(ObjectType.THREAD, (p) => new TestThread(p));
    const call = hv(core, form);
    const vic = create(core, Hypercall.PARTITION_CREATE_VIC);
    assertEquals(call(Hypercall.VIC_CONFIGURE, vic, 2n, 32n, 0n, 0n).err, 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, vic).err, 0);
    const t0 = create(core, Hypercall.PARTITION_CREATE_THREAD);
    assertEquals(call(Hypercall.VIC_ATTACH_VCPU, vic, t0, 0n).err, 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, t0).err, 0);
    const as = create(core, Hypercall.PARTITION_CREATE_ADDRSPACE);
    assertEquals(call(Hypercall.ADDRSPACE_CONFIGURE, as, 7n).err, 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, as).err, 0);
    const attach = (i: bigint, base: bigint, size: bigint, flags = 0n) =>
      call(Hypercall.ADDRSPACE_ATTACH_VDEVICE, as, vic, i, base, size, flags).err;
    assertEquals(attach(0n, 0x0800_0000n, 0x10000n), 0);
    assertEquals(attach(0n, 0x0810_0000n, 0x10000n), HypError.ERROR_BUSY);
    assertEquals(attach(1n, 0x080a_0000n, 0x10000n), HypError.ERROR_ARGUMENT_SIZE);
    assertEquals(attach(1n, 0x080a_0000n, 0x20000n, 4n), HypError.ERROR_ARGUMENT_INVALID);
    assertEquals(attach(1n, 0x080a_0000n, 0x20000n, 3n), 0);
    assertEquals(attach(1n, 0x0810_0000n, 0x20000n), HypError.ERROR_BUSY);
    assertEquals(attach(2n, 0x080c_0000n, 0x20000n), HypError.ERROR_IDLE); // vCPU 1 not active
    const t1 = create(core, Hypercall.PARTITION_CREATE_THREAD);
    assertEquals(call(Hypercall.VIC_ATTACH_VCPU, vic, t1, 1n).err, 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, t1).err, 0);
    assertEquals(attach(2n, 0x080b_0000n, 0x20000n), HypError.ERROR_ADDR_INVALID); // overlaps GICR 0
    assertEquals(attach(2n, 0x080c_0000n, 0x20000n), 0);
    assertEquals(attach(3n, 0x080e_0000n, 0x20000n), HypError.ERROR_ARGUMENT_INVALID);
    const vicObj = core.rootCspace.lookup<Vic>(vic, ObjectType.VIC, 0);
    assertEquals(vicObj.gicrLast(0, 3n), true); // explicit
    assertEquals(vicObj.gicrLast(0, 0n), false); // default: only the highest index
    assertEquals(vicObj.gicrLast(1, 0n), true);
    const space = core.rootCspace.lookup<Addrspace>(as, ObjectType.ADDRSPACE, 0);
    assertEquals(space.vdevices.map((v) => [v.index, v.vbase]), [
      [0, 0x0800_0000],
      [1, 0x080a_0000],
      [2, 0x080c_0000],
    ]);
    assertEquals(
      call(Hypercall.ADDRSPACE_ATTACH_VDEVICE, as, as, 0n, 0x0900_0000n, 0x1000n, 0n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(space instanceof Addrspace, true);
  });

  Deno.test(`[${form}] vpm_group: configure, attach, bind, state; hwirq bind follows the line`, () => {
    const core = createTestCore();
    core.factories.register(ObjectType.THREAD, (p) => new TestThread(p));
    const call = hv(core, form);
    const vic = create(core, Hypercall.PARTITION_CREATE_VIC);
    assertEquals(call(Hypercall.VIC_CONFIGURE, vic, 1n, 64n, 0n, 0n).err, 0);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, vic).err, 0);
    const irq = core.controllers.get(
      core.rootCspace.lookup<Vic>(vic, ObjectType.VIC, 0),
    ) as RecordingInterruptController;
    const g = create(core, Hypercall.PARTITION_CREATE_VPM_GROUP);
    assertEquals(call(Hypercall.VPM_GROUP_CONFIGURE, g, 2n).err, HypError.ERROR_UNIMPLEMENTED);
    assertEquals(call(Hypercall.VPM_GROUP_CONFIGURE, g, 1n).err, 0);
    assertEquals(call(Hypercall.VPM_GROUP_GET_STATE, g).err, HypError.ERROR_OBJECT_STATE);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, g).err, 0);
    assertEquals(call(Hypercall.VPM_GROUP_CONFIGURE, g, 0n).err, HypError.ERROR_OBJECT_STATE);
    const th = create(core, Hypercall.PARTITION_CREATE_THREAD);
    assertEquals(
      call(Hypercall.VPM_GROUP_ATTACH_VCPU, g, th, 8n).err,
      HypError.ERROR_ARGUMENT_INVALID,
    );
    assertEquals(call(Hypercall.VPM_GROUP_ATTACH_VCPU, g, th, 0n).err, 0);
    assertEquals(call(Hypercall.VPM_GROUP_BIND_VIRQ, g, vic, 60n).err, 0);
    const gs = call(Hypercall.VPM_GROUP_GET_STATE, g);
    assertEquals([gs.err, gs.r[1]], [0, 0n]); // NO_STATE: the vCPU is off
    const thread = core.rootCspace.lookupAny(th, 0) as TestThread;
    const group = core.rootCspace.lookup<VpmGroup>(g, ObjectType.VPM_GROUP, 0);
    assertEquals(thread.vpm, { group, index: 0 });
    assertEquals(group.members[0], null);
    assertEquals(call(Hypercall.OBJECT_ACTIVATE, th).err, 0);
    assertEquals(group.members[0], thread);
    thread.vpmPower = VpmVcpuPower.RUNNING;
    group.update();
    assertEquals(call(Hypercall.VPM_GROUP_GET_STATE, g).r[1], 1n);
    assert(irq.pending.has(60));
    thread.vpmPower = VpmVcpuPower.SUSPENDED;
    group.update();
    assertEquals(call(Hypercall.VPM_GROUP_GET_STATE, g).r[1], 2n);
    group.systemSuspended = true;
    assertEquals(call(Hypercall.VPM_GROUP_GET_STATE, g).r[1], 3n);
    assertEquals(call(Hypercall.VPM_GROUP_UNBIND_VIRQ, g).err, 0);
    // hwirq: created at boot, bound to the vic, level follows the line.
    const hw = new Hwirq(core.root, 79);
    const hwCap = core.rootCspace.createMasterCap(hw);
    assertEquals(call(Hypercall.HWIRQ_BIND_VIRQ, hwCap, vic, 70n).err, 0);
    hw.setLevel(true);
    assert(irq.level(70));
    hw.setLevel(false);
    assert(!irq.level(70));
    assertEquals(call(Hypercall.HWIRQ_UNBIND_VIRQ, hwCap).err, 0);
    assertEquals(
      call(Hypercall.HWIRQ_BIND_VIRQ, g, vic, 70n).err,
      HypError.ERROR_CSPACE_WRONG_OBJECT_TYPE,
    );
  });
}
