/**
 * End to end, in the primary Linux VM with the VM manager module loaded:
 * `gunyah-vm-test` (test/gunyah_vm_test.c, static, in the initramfs) starts
 * secondary VMs through /dev/gunyah and runs them.
 *
 * - `start`: the minimal VMM — one shared region, its DTB config, GH_VM_START,
 *   no functions; the secondary's vCPU is scheduled by the hypervisor and
 *   its vGIC is where the VMM's devicetree put it. Shown by the pattern it
 *   writes into the shared region, the RM listing it RUNNING with a parcel
 *   from the primary, and teardown leaving no VM and no parcel.
 * - `run off` / `run reset level`: a proxy vCPU on GH_VCPU_RUN — PL011 text
 *   and a test device from MMIO exits, an ioeventfd completing writes in the
 *   kernel, an irqfd ringing the doorbell while the vCPU waits in WFI (the
 *   caller sleeps on the wakeup VIRQ: little CPU over the wait),
 *   immediate_exit and SIGALRM → EINTR, PSCI SYSTEM_OFF / SYSTEM_RESET →
 *   STATUS exits with RM exit types 1 / 2.
 * - `lend`: the region lent (GH_VM_ANDROID_LEND_USER_MEM): a child touching
 *   it while the VM exists dies of SIGBUS (our hypervisor's synchronous
 *   external abort for an IPA with no mapping, which Linux turns into
 *   SIGBUS); after teardown it reads the devicetree byte again.
 *
 * One boot runs the four; skipped with the reason when the guest images or
 * the module cannot be built. `GUNYAH_LINUX_E2E=0` skips it.
 *
 * @module
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { INIT_PROLOGUE, LOAD_VM_MANAGER } from "@gunyah-ts/system";
import { runLinuxVm } from "@gunyah-ts/tests/linux";
import type { VmSnapshot } from "@gunyah-ts/system";

const enabled = Deno.env.get("GUNYAH_LINUX_E2E") !== "0";
const MARK = "vm-run-e2e:";
/** RM exit types (gunyah-abi.md §5.5). */
const EXIT_TYPE_PLATFORM_OFF = 1;
const EXIT_TYPE_PLATFORM_RESET = 2;
/** enum gh_vm_status EXITED (§7.2). */
const GH_VM_STATUS_EXITED = 2;

const INIT = `${INIT_PROLOGUE}${LOAD_VM_MANAGER}echo "${MARK} begin start"
gunyah-vm-test start --hold
echo "${MARK} end start $?"
echo "${MARK} begin run-off"
gunyah-vm-test run off
echo "${MARK} end run-off $?"
echo "${MARK} begin run-reset"
gunyah-vm-test run reset level
echo "${MARK} end run-reset $?"
echo "${MARK} begin lend"
gunyah-vm-test lend
echo "${MARK} end lend $?"
poweroff -f
`;

interface Held {
  readonly vms: readonly VmSnapshot[];
  readonly parcels: readonly { owner: number; vms: readonly number[]; transType: number }[];
}

/** The console text between the begin and end marks of `name`, and its exit status. */
function section(out: string, name: string): { text: string; status: number | null } {
  const begin = out.indexOf(`${MARK} begin ${name}\n`);
  const end = new RegExp(`${MARK} end ${name} (\\d+)`).exec(out);
  if (begin < 0) return { text: "", status: null };
  return {
    text: out.slice(begin, end ? end.index : undefined),
    status: end ? Number(end[1]) : null,
  };
}

function lines(text: string, want: readonly string[]): void {
  for (const w of want) {
    const line = `gunyah-vm-test: ${w}\n`;
    assert(text.includes(line), `no "${w}" in:\n${text.slice(-3000)}`);
  }
}

Deno.test({
  name:
    "e2e: gunyah-vm-test in the primary starts a secondary (hypervisor-scheduled), runs proxy vCPUs on GH_VCPU_RUN with ioeventfd/irqfd, and lends memory",
  ignore: !enabled,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    let held: Held | null = null;
    const run = await runLinuxVm({
      images: { init: INIT },
      onOutput: (out, { system, type }) => {
        if (held === null && out.includes("gunyah-vm-test: holding the VM")) {
          held = {
            vms: system.status().vms,
            parcels: system.rm.parcels.all.map((p) => ({
              owner: p.owner,
              vms: p.vms.map((v) => v.vmid),
              transType: p.transType,
            })),
          };
          type("\n");
        }
      },
    });
    if (run === null) return;
    const { output: out, end, system } = run;
    const keep = Deno.env.get("GUNYAH_E2E_CONSOLE"); // a file for the whole console text
    if (keep) await Deno.writeTextFile(keep, out);
    const tail = out.slice(-4000);
    if (!out.includes("gunyah-vm-test")) {
      console.error(`skipped: the initramfs has no VM manager\n${tail}`);
      return;
    }
    console.log(`boot and four scenarios: ${run.seconds.toFixed(0)} s`);
    assertEquals(end, { kind: "system_off" }, tail);
    // Every teardown (VM_STOP, reset, reclaim, deallocate) went through.
    const teardown =
      /gunyah: .*(VM_STOP|VM_RESET|MEM_RECLAIM|VM_DEALLOCATE).* failed.*|gunyah: .*(did not exit|no NOTIFY_VM_STATUS).*/
        .exec(out);
    assert(teardown === null, `${teardown?.[0]}\n${tail}`);

    await t.step("start: the minimal VMM's secondary runs, scheduled by the hypervisor", () => {
      const s = section(out, "start");
      assertEquals(s.status, 0, s.text);
      lines(s.text, [
        // First a DTB config with no room for the RM's overlay: a clear errno.
        "DTB config of the tree's own size -> 0",
        "GH_VM_START with no room for the overlay -> errno 12 (Cannot allocate memory)",
        "GH_VM_SET_USER_MEM_REGION -> 0",
        "GH_VM_SET_DTB_CONFIG -> 0",
        "GH_VM_START -> 0",
        // What a started VM refuses.
        "region after start -> errno 22 (Invalid argument)",
        "lend after start -> errno 22 (Invalid argument)",
        "DTB config after start -> errno 22 (Invalid argument)",
        "GH_VM_START again -> errno 22 (Invalid argument)",
        "vcpu 0 of a hypervisor-scheduled VM -> fd",
        "GH_VCPU_RUN of a hypervisor-scheduled vCPU -> errno 95 (Operation not supported)",
        "irqfd label 5 (no such doorbell) after start -> errno 19 (No such device)",
        "the secondary wrote 0x5ec0dda7 into the shared region",
        "close VM fd -> 0",
      ]);
      assert(s.text.includes("room after the devicetree for its /hypervisor overlay"), s.text);
      assert(/the secondary counted from \d+ to 100000\n/.test(s.text), s.text);
      // 4 MiB of scattered pages: more SGL entries than one MEM_SHARE carries.
      const append = /gunyah: VM \d+: region 0 is (\d+) runs: 512 in MEM_SHARE, (\d+) by MEM_APPEND/
        .exec(s.text);
      assert(append !== null, `no MEM_APPEND:\n${s.text}`);
      assertEquals(Number(append[1]) - 512, Number(append[2]));
      console.log(`start: region of ${append[1]} runs, ${append[2]} by MEM_APPEND`);
      const created = [...s.text.matchAll(/gunyah: created VM with VMID (\d+)/g)].pop();
      assert(created !== undefined, s.text);
      const vmid = Number(created[1]);
      const h = held as Held | null;
      assert(h !== null, s.text);
      const listed = h.vms.find((v) => v.vmid === vmid);
      assert(listed !== undefined, JSON.stringify(h.vms));
      assertEquals(listed.status, "running");
      // One parcel from the primary (VMID 3), shared (trans type 2) with the VM.
      const parcels = h.parcels.filter((p) => p.vms.includes(vmid));
      assertEquals(parcels.map((p) => [p.owner, p.transType]), [[3, 2]]);
      assert(s.text.includes(`gunyah: VM ${vmid} started`), s.text);
    });

    await t.step("teardown: no VM and no parcel is left", () => {
      assertEquals(system.status().vms.map((v) => v.vmid), [3]);
      assertEquals(system.rm.parcels.all.length, 0);
    });

    for (
      const [name, type] of [["run-off", EXIT_TYPE_PLATFORM_OFF], [
        "run-reset",
        EXIT_TYPE_PLATFORM_RESET,
      ]] as const
    ) {
      await t.step(
        `${name}: GH_VCPU_RUN with MMIO, ioeventfd, irqfd, EINTR and the STATUS exit`,
        () => {
          const s = section(out, name);
          assertEquals(s.status, 0, s.text);
          lines(s.text, [
            "GH_VM_ADD_FUNCTION ioeventfd -> 0",
            name === "run-reset"
              ? "GH_VM_ADD_FUNCTION irqfd level -> 0"
              : "GH_VM_ADD_FUNCTION irqfd -> 0",
            "GH_VCPU_MMAP_SIZE -> 4096",
            "GH_VCPU_RUN before GH_VM_START -> errno 19 (No such device)",
            "GH_VM_START -> 0",
            "GH_VCPU_RUN with immediate_exit -> errno 4 (Interrupted system call)",
            "GH_VCPU_RUN while the vCPU waits, SIGALRM -> errno 4 (Interrupted system call)",
            `exit STATUS: status ${GH_VM_STATUS_EXITED}, exit type ${type}, reason size 4`,
            "TEST_ID read 0x6a5a1234, written back 0x6a5a1234",
            "ioeventfd count 3, writes that exited 1",
            "MMIO exit: write of 2 to the ioeventfd address",
            "close vCPU fd -> 0",
            "close VM fd -> 0",
          ]);
          assert(/gunyah-vm-test: GH_VM_ADD_FUNCTION vcpu 0 -> \d+\n/.test(s.text), s.text);
          // The PL011 text, emulated from MMIO write exits.
          assert(s.text.includes("secondary: hello from a proxy vCPU\n"), s.text);
          assert(s.text.includes("secondary: woken by the doorbell\n"), s.text);
          const irq = /doorbell interrupt (\d+) after (\d+) ms, vCPU thread CPU (\d+) ms/.exec(
            s.text,
          );
          assert(irq !== null, s.text);
          assert(Number(irq[1]) >= 32, `not an SPI: ${irq[1]}`);
          // The caller slept on the wakeup VIRQ rather than spinning in vcpu_run.
          const [wall, cpu] = [Number(irq[2]), Number(irq[3])];
          assert(wall >= 1000, `the doorbell rang after ${wall} ms, before the VMM rang it`);
          assert(cpu < wall / 2, `the vCPU thread used ${cpu} ms of CPU over a ${wall} ms wait`);
          console.log(`${name}: waited ${wall} ms for the doorbell, ${cpu} ms CPU`);
        },
      );
    }

    await t.step(
      "lend: the lent region faults in the primary while lent, returns after teardown",
      () => {
        const s = section(out, "lend");
        assertEquals(s.status, 0, s.text);
        lines(s.text, [
          "GH_VM_ANDROID_LEND_USER_MEM -> 0",
          "GH_VM_START -> 0",
          "child touching the lent region while the VM runs -> killed by signal 7 (Bus error)",
          "child touching the lent region while the vCPU waits -> killed by signal 7 (Bus error)",
          `exit STATUS: status ${GH_VM_STATUS_EXITED}, exit type ${EXIT_TYPE_PLATFORM_OFF}, reason size 4`,
          "close VM fd -> 0",
          "child touching the region after teardown -> exit 0",
          "region after teardown: byte at the DTB 0xd0",
        ]);
        assert(s.text.includes("secondary: woken by the doorbell\n"), s.text);
      },
    );
  },
});
