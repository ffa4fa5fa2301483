/**
 * End to end: the primary VM (Debian's unmodified arm64 kernel, VMID 3)
 * loads the Gunyah VM manager module built by `build.ts` from its
 * initramfs; the module finds the RM below `/hypervisor`, asks VM_GET_VMID
 * over its message queues and registers `/dev/gunyah`; `gunyah-test`
 * (static, in the initramfs) makes GH_CREATE_VM, which the RM serves with
 * VM_ALLOCATE: the system's status lists the new VM while the test holds
 * its fd, and no longer after the fd is closed (VM_DEALLOCATE). At the end
 * the host VMM (the primary's owner) sends VM_STOP without FORCE: the RM
 * sends NOTIFY_VM_SHUTDOWN and the module powers the primary off.
 *
 * Skipped with the reason when the guest images or the module cannot be
 * built (`deno task gunyah images`; kernel headers from apt, the host's
 * linux-kbuild-6.1, libc6-dev-arm64-cross). Crypto self-tests are off
 * (`cryptomgr.notests`) to keep the boot short. `GUNYAH_LINUX_E2E=0` skips it.
 *
 * @module
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { INIT_PROLOGUE, LOAD_VM_MANAGER } from "@gunyah-ts/system";
import { runLinuxVm } from "@gunyah-ts/tests/linux";
import type { VmSnapshot } from "@gunyah-ts/system";
import { RmMsg, Vmid } from "../mod.ts";

const enabled = Deno.env.get("GUNYAH_LINUX_E2E") !== "0";
const MARK = "vmm-e2e:";
/** The stop reason of the graceful VM_STOP the test sends at the end (ours; logged by the module). */
const STOP_REASON = 7;

const INIT = `${INIT_PROLOGUE}${LOAD_VM_MANAGER}echo "${MARK} dev $(ls /dev/gunyah)"
gunyah-test --hold
echo "${MARK} exit $?"
echo "${MARK} waiting for the RM"
exec sleep 3600
`;

Deno.test({
  name: "e2e: the VM manager module in the primary Linux reaches the RM and creates a VM",
  ignore: !enabled,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let held: readonly VmSnapshot[] | null = null;
    let afterClose: readonly VmSnapshot[] | null = null;
    let askedToShutDown = false;
    let shutdownError: Error | null = null;
    const run = await runLinuxVm({
      images: { init: INIT },
      onOutput: (out, { system, type }) => {
        if (held === null && out.includes("gunyah-test: holding the VM")) {
          held = system.status().vms;
          type("\n");
        }
        if (!askedToShutDown && out.includes(`${MARK} waiting for the RM`)) {
          afterClose = system.status().vms;
          // Graceful stop (VM_STOP without FORCE) by the primary's owner: the
          // RM sends the guest NOTIFY_VM_SHUTDOWN and the module powers it off.
          askedToShutDown = true;
          const p = new Uint8Array(8); // {u16 vmid; u8 flags = 0; u8 res; u32 stop_reason}
          const v = new DataView(p.buffer);
          v.setUint16(0, Vmid.HLOS, true);
          v.setUint32(4, STOP_REASON, true);
          system.hostVmm.call(RmMsg.VM_STOP, p).catch((e) => (shutdownError = e as Error));
        }
      },
    });
    if (run === null) return;
    const { output: out, tail, end } = run;
    if (!out.includes("gunyah-test")) {
      // No module or no test program: the image build said why on stderr.
      assert(!out.includes(`${MARK} dev /dev/gunyah`), tail);
      console.error(`skipped: the initramfs has no VM manager\n${tail}`);
      return;
    }
    assertEquals(shutdownError, null, tail);
    assert(askedToShutDown, `the init never waited for the RM:\n${tail}`);
    assert(
      out.includes(`the resource manager asks this VM to shut down (stop reason ${STOP_REASON})`),
      tail,
    );
    assertEquals(end, { kind: "system_off" }, tail);
    assert(/gunyah: resource manager: .* this VM is VMID 3\b/.test(out), tail);
    assert(out.includes(`${MARK} dev /dev/gunyah`), tail);
    const fd = /gunyah-test: GH_CREATE_VM -> (\d+)/.exec(out);
    assert(fd !== null, `GH_CREATE_VM failed:\n${tail}`);
    const created = /gunyah: created VM with VMID (\d+)/.exec(out);
    assert(created !== null, tail);
    const vmid = Number(created[1]);
    assert(out.includes("GH_CREATE_VM with arg 1 -> errno 22 "), tail);
    assert(out.includes("unknown ioctl 0x47ff -> errno 25 "), tail);
    // Every refusal of a VM that has not started, one line each (§7.2, §7.3).
    for (
      const [what, result] of [
        ["region with unknown flag 0x8", "errno 22 "],
        ["region with unaligned address", "errno 22 "],
        ["region with unaligned size", "errno 22 "],
        ["region with unaligned user address", "errno 22 "],
        ["region with size 0", "errno 22 "],
        ["region 0 at 0x80000000", "0\n"],
        ["region with duplicate label 0", "errno 22 "],
        ["region 1 overlapping region 0", "errno 22 "],
        ["start without DTB config", "errno 22 "],
        ["DTB config of size 0", "errno 22 "],
        ["DTB config outside the regions", "0\n"],
        ["start with the DTB outside the regions", "errno 22 "],
        ["DTB config wrapping around", "errno 22 "],
        ["DTB config with a bad pointer", "errno 14 "],
        ["region with a bad pointer", "errno 14 "],
        ["region wrapping around", "errno 22 "],
        ["region of unmapped user memory", "errno 14 "],
        // GH_VM_ANDROID_LEND_USER_MEM (§7.3): the same rules.
        ["lend with unknown flag 0x8", "errno 22 "],
        ["lend with unaligned size", "errno 22 "],
        ["lend with duplicate label 0", "errno 22 "],
        ["lend overlapping region 0", "errno 22 "],
        // GH_VM_ADD_FUNCTION / GH_VM_REMOVE_FUNCTION and the vCPU fd.
        ["function of unknown type 9", "errno 22 "],
        ["vcpu function with arg_size 8", "errno 22 "],
        ["vcpu function with arg_size 257", "errno 22 "],
        ["vcpu function with a bad arg pointer", "errno 14 "],
        ["function with a bad descriptor pointer", "errno 14 "],
        ["vcpu 0", "fd\n"],
        ["vcpu 0 again", "errno 17 "],
        ["GH_VCPU_RUN before start", "errno 19 "],
        ["unknown vCPU ioctl 0x47ff", "errno 25 "],
        ["mmap of the vCPU fd at offset 4096", "errno 22 "],
        ["mmap of two pages of the vCPU fd", "errno 22 "],
        ["GH_VCPU_RUN from another process", "errno 1 "],
        ["remove vcpu 3 (none)", "errno 2 "],
        ["remove vcpu 0", "0\n"],
        ["GH_VCPU_RUN of a removed vcpu", "errno 19 "],
        ["irqfd of a closed fd", "errno 9 "],
        ["irqfd of a file that is no eventfd", "errno 22 "],
        ["irqfd with unknown flag 0x2", "errno 22 "],
        ["irqfd label 7", "0\n"],
        ["irqfd label 7 again", "errno 17 "],
        ["remove irqfd label 7", "0\n"],
        ["remove irqfd label 7 again", "errno 2 "],
        ["ioeventfd of length 3", "errno 22 "],
        ["ioeventfd matching data of any length", "errno 22 "],
        ["ioeventfd with unknown flag 0x2", "errno 22 "],
        ["ioeventfd of a closed fd", "errno 9 "],
        ["ioeventfd wrapping around", "errno 22 "],
        ["ioeventfd at 0xa000000", "0\n"],
        ["ioeventfd at 0xa000000 again", "errno 17 "],
        ["remove ioeventfd at 0xa000000", "0\n"],
        ["remove ioeventfd at 0xa000000 again", "errno 2 "],
        // GH_VM_START: the DTB config must hold a devicetree that fits.
        ["DTB config of 0x1000 in region 0", "0\n"],
        ["start with no devicetree at the DTB config", "errno 22 "],
        ["start with a devicetree larger than the DTB config", "errno 22 "],
      ]
    ) {
      const line = `gunyah-test: ${what} -> ${result}`;
      assert(out.includes(line), `no "${line.trim()}" in:\n${tail}`);
    }
    assert(out.includes("gunyah-test: close VM fd -> 0"), tail);
    assert(out.includes(`${MARK} exit 0`), tail);
    const heldVms = held as readonly VmSnapshot[] | null;
    assert(heldVms !== null, tail);
    const allocated = heldVms.find((v) => v.vmid === vmid);
    assert(allocated !== undefined, `the RM lists no VM ${vmid}: ${JSON.stringify(heldVms)}`);
    assertEquals(allocated.status, "load");
    const laterVms = afterClose as readonly VmSnapshot[] | null;
    assert(
      laterVms !== null && !laterVms.some((v) => v.vmid === vmid),
      "the VM is still listed after its fd was closed",
    );
    console.log(`VM manager: fd ${fd[1]}, VMID ${vmid} (${allocated.status})`);
  },
});
