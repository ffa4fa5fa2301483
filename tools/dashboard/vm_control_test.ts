import { assertEquals, assertRejects, assertThrows } from "@gunyah-ts/tests/assert";
import { ThreadState } from "@gunyah-ts/core";
import { ExitType, RmNotify } from "@gunyah-ts/rm";
import { parseCreateVmRequest, VmControl, VmControlError } from "./vm_control.ts";
import { printThenWaitGuest, systemWithGuest } from "./test_fixture.ts";

Deno.test("create requests: defaults from the boot configuration, sizes, and clear refusals", () => {
  assertEquals(parseCreateVmRequest({ name: "vm2" }), {
    name: "vm2",
    memory: 512 << 20,
    vcpus: 2,
    kernel: undefined,
    initrd: undefined,
    append: "console=ttyAMA0",
    start: true,
  });
  const r = parseCreateVmRequest({
    name: "a.b-c_1",
    memory: "64M",
    vcpus: 1,
    kernel: "/k",
    initrd: "none",
    append: "quiet",
    start: false,
  });
  assertEquals([r.memory, r.vcpus, r.kernel, r.initrd, r.append, r.start], [
    64 << 20,
    1,
    "/k",
    "none",
    "quiet",
    false,
  ]);
  assertEquals(parseCreateVmRequest({ name: "n", memory: 32 << 20 }).memory, 32 << 20);
  const refusals: [unknown, string][] = [
    [null, "JSON object"],
    [[1], "JSON object"],
    [{}, "'name' is required"],
    [{ name: "" }, "'name' is required"],
    [{ name: "has space" }, "letters, digits"],
    [{ name: "x".repeat(65) }, "1-64"],
    [{ name: "n", memory: "lots" }, "'memory'"],
    [{ name: "n", memory: (16 << 20) + 1 }, "whole 4 KiB pages"],
    [{ name: "n", memory: 8 << 20 }, "from 16M to 3G"],
    [{ name: "n", memory: "6G" }, "from 16M to 3G"], // not "needs 0 MiB" (no 32-bit sizes)
    [{ name: "n", vcpus: 0 }, "1 to 8"],
    [{ name: "n", vcpus: 1.5 }, "1 to 8"],
    [{ name: "n", vcpus: 9 }, "at most 8"],
    [{ name: "n", kernel: 5 }, "'kernel' must be a string"],
    [{ name: "n", start: "yes" }, "'start' must be true or false"],
    [{ name: "n", initrd: "/i" }, "'initrd' needs 'kernel'"],
    [{ name: "n", extra: 1 }, "unknown field 'extra'"],
  ];
  for (const [body, text] of refusals) {
    const e = assertThrows(() => parseCreateVmRequest(body), VmControlError, text);
    assertEquals((e as VmControlError).status, 400);
  }
});

Deno.test("stop kills every vCPU by hypercall and records VM_STOP_FORCED; unknown VMIDs are 404", async () => {
  const { system, vm } = await systemWithGuest(printThenWaitGuest("."));
  const control = new VmControl(system, () => Promise.reject(new Error("unused")));
  system.hv.runUntil(() => vm.vcpus[0].sched.blockBits !== 0, 1e6);
  await control.stop(vm.vmid, { confirm: true }); // the primary: stopping it is confirmed
  assertEquals(system.vmRecord(vm.vmid).status, "exited");
  assertEquals(system.vmRecord(vm.vmid).exitReason, "stopped (VM_STOP_FORCED) by VM 0x3f");
  // Over RPC: the host VMM got the RM's NOTIFY_VM_EXITED (type VM_STOP_FORCED).
  const note = system.hostVmm.notifications.find((n) => n.msgId === RmNotify.VM_EXITED)!;
  const nv = new DataView(note.payload.buffer, note.payload.byteOffset);
  assertEquals([nv.getUint16(0, true), nv.getUint16(2, true)], [vm.vmid, ExitType.VM_STOP_FORCED]);
  system.hv.runUntil(() => vm.vcpus[0].threadState === ThreadState.EXITED, 1e6);
  assertEquals(vm.vcpus[0].threadState, ThreadState.EXITED);
  const again = await assertRejects(() => control.stop(vm.vmid), VmControlError, "only a running");
  assertEquals((again as VmControlError).status, 409);
  const missing = await assertRejects(
    () => control.start(0x99),
    VmControlError,
    "VMs: 3 (primary)",
  );
  assertEquals((missing as VmControlError).status, 404);
});
