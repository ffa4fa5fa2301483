import { assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import { VmStatus } from "@gunyah-ts/rm";
import { GunyahSystem } from "./system.ts";

/** A flat binary: print "hi\n" on the PL011, then PSCI SYSTEM_OFF over HVC. */
const HELLO = new Uint8Array(
  Uint32Array.of(
    0xd2a12001, // movz x1, #0x0900, lsl #16   (PL011 data register)
    0x52800d02, // movz w2, #'h'
    0x39000022, // strb w2, [x1]
    0x52800d22, // movz w2, #'i'
    0x39000022, // strb w2, [x1]
    0x52800142, // movz w2, #'\n'
    0x39000022, // strb w2, [x1]
    0xd2800100, // movz x0, #0x0008
    0xf2b08000, // movk x0, #0x8400, lsl #16   (PSCI SYSTEM_OFF)
    0xd4000002, // hvc #0
    0x14000000, // b .
  ).buffer,
);

Deno.test("the RM builds a VM by hypercalls; its guest prints on the PL011 and powers off", async () => {
  const sys = await GunyahSystem.create({ ramBytes: 32 << 20 });
  const vm = sys.launch({
    name: "primary",
    memory: 32 << 20,
    vcpus: 1,
    kernel: HELLO,
    bootargs: "",
  });
  assertEquals(vm.vmid, 3); // the first VM is the HLOS VM
  assertEquals(sys.rm.vm(3).status, VmStatus.RUNNING);
  let out = "";
  vm.console.onOutput((b) => (out += new TextDecoder().decode(b)));
  const run = sys.hv.run({ untilIdle: true });
  const end = await vm.ended;
  sys.hv.stop();
  await run;
  assertEquals(end, { kind: "system_off" });
  assertEquals(out, "hi\n");
  // The RM learns of the exit from the vCPU's HALT VIRQ, delivered at the next round.
  sys.hv.runUntil(() => sys.rm.vm(3).status === VmStatus.EXITED, 10_000);
  assertEquals(sys.rm.vm(3).status, VmStatus.EXITED);
  assertEquals(sys.hv.cpuStats().reduce((a, c) => a + c.retired, 0), 10);
});

Deno.test("a VM that does not fit in physical RAM is refused with the sizes", async () => {
  const sys = await GunyahSystem.create({ ramBytes: 32 << 20 });
  assertThrows(
    () => sys.launch({ name: "big", memory: 64 << 20, vcpus: 1, kernel: HELLO, bootargs: "" }),
    Error,
    "needs 64 MiB but only 32 MiB",
  );
});

Deno.test("a VM launched without starting runs only after start()", async () => {
  const sys = await GunyahSystem.create({ ramBytes: 32 << 20 });
  const vm = sys.launch(
    { name: "later", memory: 32 << 20, vcpus: 1, kernel: HELLO, bootargs: "" },
    {
      start: false,
    },
  );
  assertEquals(vm.started, false);
  assertEquals(sys.rm.vm(vm.vmid).status, VmStatus.READY);
  assertEquals(await sys.hv.run({ untilIdle: true }), "idle");
  assertEquals(sys.hv.cpuStats().reduce((a, c) => a + c.retired, 0), 0);
  vm.start();
  vm.start(); // once only
  const run = sys.hv.run({ untilIdle: true });
  assertEquals(await vm.ended, { kind: "system_off" });
  sys.hv.stop();
  await run;
  assertEquals(vm.started, true);
});
