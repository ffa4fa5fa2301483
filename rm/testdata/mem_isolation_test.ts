/**
 * Memory-parcel isolation with two real AArch64 guests (mem_isolation.c,
 * built here with the cross compiler; skipped when it is missing) run by the
 * system on both VMs' vCPUs: the HLOS lends and shares pages to VM 0x80
 * purely over RM RPC, and each guest reports what its own loads see — a
 * stage-2 fault (a data abort, counted by its vector) or the other VM's data.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { GunyahSystem, HOST_VMM_VMID } from "@gunyah-ts/system";
import { buildFlatGuest } from "./guest_build.ts";

const HERE = new URL(".", import.meta.url).pathname;

const guest = await buildFlatGuest("mem_isolation", [
  `${HERE}mem_start.S`,
  `${HERE}mem_isolation.c`,
]);

Deno.test({
  name:
    "two AArch64 guests: lend → the lender faults, the borrower reads its pattern; release → the borrower faults; reclaim(SANITIZE) → zeros; share → both read and write",
  ignore: guest === null,
  async fn() {
    const MiB = 1 << 20;
    const sys = await GunyahSystem.create({ ramBytes: 32 * MiB });
    const launch = (name: string) => {
      const vm = sys.launch({ name, memory: 16 * MiB, vcpus: 1, kernel: guest!, bootargs: "" });
      let out = "";
      vm.console.onOutput((b) => (out += new TextDecoder().decode(b)));
      return { vm, out: () => out };
    };
    const lender = launch("lender");
    const borrower = launch("borrower");
    assertEquals([lender.vm.vmid, borrower.vm.vmid], [3, 0x80]);
    const running = sys.hv.run({ untilIdle: true });
    const ends = await Promise.all([lender.vm.ended, borrower.vm.ended]);
    sys.hv.stop();
    await running;
    assertEquals(ends, [{ kind: "system_off" }, { kind: "system_off" }]);
    assertEquals(
      lender.out(),
      [
        "lender: MEM_LEND err=0x0",
        "lender: MEM_NOTIFY(SHARED) err=0x0",
        "lender: read lent page -> fault at 0x40400000",
        "lender: got MEM_RELEASED",
        "lender: MEM_RECLAIM(SANITIZE) err=0x0",
        "lender: read reclaimed page -> 0x0",
        "lender: MEM_SHARE err=0x0",
        "lender: MEM_NOTIFY(SHARED) err=0x0",
        "lender: got MEM_ACCEPTED",
        "lender: read word the borrower wrote -> 0xb0b0b0b0",
        "lender: got MEM_RELEASED",
        "lender: MEM_RECLAIM err=0x0",
        "lender: read shared page -> 0x5a000002",
        "",
      ].join("\n"),
    );
    assertEquals(
      borrower.out(),
      [
        "borrower: got MEM_SHARED trans_type=0x1 label=0x4c454e44",
        "borrower: read before accept -> fault at 0x60000000",
        "borrower: MEM_ACCEPT err=0x0",
        "borrower: lender's pattern: yes",
        "borrower: MEM_RELEASE err=0x0",
        "borrower: read after release -> fault at 0x60000000",
        "borrower: MEM_NOTIFY(RELEASED) err=0x0",
        "borrower: got MEM_SHARED trans_type=0x2",
        "borrower: MEM_ACCEPT (RM picks the IPA) err=0x0",
        "borrower: IPA 0x800000000",
        "borrower: lender's pattern: yes",
        "borrower: MEM_NOTIFY(ACCEPTED) err=0x0",
        "borrower: MEM_RELEASE err=0x0",
        "borrower: read after release -> fault at 0x800000000",
        "borrower: MEM_NOTIFY(RELEASED) err=0x0",
        "",
      ].join("\n"),
    );
    // Every parcel of the lender is gone; the borrower's own RAM is the host VMM's lent parcel.
    assertEquals(sys.rm.memoryParcels().filter((p) => p.owner !== HOST_VMM_VMID).length, 0);
  },
});
