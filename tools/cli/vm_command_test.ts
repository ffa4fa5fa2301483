import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { VmStatus } from "@gunyah-ts/rm";
import { serveDashboard } from "@gunyah-ts/dashboard";
import { GunyahSystem } from "@gunyah-ts/system";
import { vmCommand } from "./vm_command.ts";

/** `b .` — a guest that runs until stopped. */
const SPIN = new Uint8Array(Uint32Array.of(0x14000000).buffer);

async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    return { code: await fn(), out: lines.join("\n") };
  } finally {
    console.log = log;
  }
}

Deno.test({
  name:
    "gunyah vm lists, creates, starts, stops, resets and destroys VMs of a running system over its API",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const sys = await GunyahSystem.create({ ramBytes: 64 << 20 });
    sys.launch({ name: "primary", memory: 32 << 20, vcpus: 1, kernel: SPIN, bootargs: "" });
    const kernel = await Deno.makeTempFile();
    await Deno.writeFile(kernel, SPIN);
    // The kernel is a configuration-named file; the token comes from the file serveDashboard wrote.
    const dash = await serveDashboard(sys, "127.0.0.1:0", {
      images: { folders: [], files: [kernel] },
    });
    const url = dash.url;
    try {
      const list = await captured(() => vmCommand.run(["list", "--url", url]));
      assertEquals(list.code, 0);
      assert(/3 \(0x3\)\s+primary\s+running\s+1\s+32 MiB/.test(list.out), list.out);

      const made = await captured(() =>
        vmCommand.run([
          "create",
          "second",
          "--memory",
          "16M",
          "--vcpus",
          "1",
          "--kernel",
          kernel,
          "--initrd",
          "none",
          "--no-start",
          "--url",
          url,
        ])
      );
      assertEquals(made.code, 0, made.out);
      const rec = sys.rm.vms.find((v) => v.name === "second")!;
      assertEquals(rec.status, VmStatus.READY);
      // Its RAM came by MEM_LEND from the host VMM (VMID 0x3f), as the memory listing shows.
      assertEquals(
        sys.status().memory.parcels.map((p) => [p.owner, p.transaction, p.size, p.vms]),
        [[0x3f, "lend", 16 << 20, [{
          vmid: rec.vmid,
          rights: "rwx",
          accepted: true,
          ipas: ["0x40000000"],
        }]]],
      );
      const ramRegions = sys.hv.physicalMemory.regions.length;
      assertEquals(
        (await captured(() => vmCommand.run(["start", String(rec.vmid), "--url", url]))).code,
        0,
      );
      assertEquals(rec.status, VmStatus.RUNNING);
      assertEquals(
        (await captured(() => vmCommand.run(["stop", String(rec.vmid), "--url", url]))).code,
        0,
      );
      assertEquals(rec.status, VmStatus.EXITED);
      // the system refuses: starting an exited VM
      assertEquals(
        (await captured(() => vmCommand.run(["start", String(rec.vmid), "--url", url]))).code,
        1,
      );
      // destroy before reset: the RM's VM_STATE, exit 1
      assertEquals(
        (await captured(() => vmCommand.run(["destroy", String(rec.vmid), "--url", url]))).code,
        1,
      );
      assertEquals(
        (await captured(() => vmCommand.run(["reset", String(rec.vmid), "--url", url]))).code,
        0,
      );
      assertEquals([rec.status, rec.caps], [VmStatus.RESET, null]); // its objects destroyed
      assertEquals(
        (await captured(() => vmCommand.run(["destroy", String(rec.vmid), "--url", url]))).code,
        0,
      );
      assertEquals(sys.rm.find(rec.vmid), null); // the VMID is free
      assertEquals(sys.vms.map((v) => v.vmid), [3]);
      // MEM_RECLAIMed and the region removed: its RAM is back in the budget.
      assertEquals(sys.status().memory.parcels, []);
      assertEquals(sys.hv.physicalMemory.regions.length, ramRegions - 1);
      // the primary cannot be reset (the RM's DENIED), exit 1
      assertEquals((await captured(() => vmCommand.run(["reset", "3", "--url", url]))).code, 1);
    } finally {
      await dash.close();
      await Deno.remove(kernel);
    }
  },
});

Deno.test("gunyah vm: usage errors exit 2, an absent system exits 1", async () => {
  assertEquals(await vmCommand.run([]), 2);
  assertEquals(await vmCommand.run(["start", "nope"]), 2);
  assertEquals(await vmCommand.run(["list", "--url", "http://127.0.0.1:9"]), 1);
});
