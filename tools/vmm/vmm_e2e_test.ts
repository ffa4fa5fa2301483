/**
 * End to end (issue 11's acceptance): the default system's primary Linux
 * (the default initramfs: the VM manager module loaded, `/bin/gunyah-vmm`,
 * `/vm/Image`, `/vm/initrd.gz`, `gunyah-mkdisk`) is driven at its shell:
 *
 *   gunyah-mkdisk disk.img 16M
 *   gunyah-vmm -kernel /vm/Image -initrd /vm/initrd.gz -append "..." \
 *     -m 256M -smp 2 -hda disk.img -nographic
 *
 * The secondary reaches its init marker, runs a command (`uname -r`),
 * writes a file to /dev/vda (a tar archive) and powers off with
 * `poweroff -f`; gunyah-vmm prints the VM's status and exits 0; the primary
 * reads the file back from disk.img and has its memory back (MemFree).
 *
 * Any refused ioctl fails the test (the module implements every one the VMM
 * uses). Skipped when the images cannot be built;
 * `GUNYAH_LINUX_E2E=0` skips it.
 *
 * @module
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { INIT_MARKER, type VmSnapshot } from "@gunyah-ts/system";
import { runLinuxVm } from "@gunyah-ts/tests/linux";
import { SECONDARY_APPEND, SECONDARY_MARKER } from "./secondary.ts";

const enabled = Deno.env.get("GUNYAH_LINUX_E2E") !== "0";
/** Give up after this long (a hung guest must fail the test, not the suite). */
const TIMEOUT_MS = 20 * 60_000;
/** The primary's MemFree may differ by this much before and after the VM (page cache, slab). */
const MEMFREE_SLACK_KIB = 24 * 1024;
/** The text the secondary writes onto its disk. */
const PAYLOAD = "written-by-the-secondary";

/** busybox ash's prompt, possibly followed by its cursor-position query (ESC [ 6 n). */
const PROMPT = new RegExp("# (\u001b\\[6n)?$");

/** Printed by the primary's part of the test; split in the typed line so the echo cannot match. */
const P = "vmm-e2e";

const PRIMARY_LINE = [
  `echo "${P}"" mem-before $(grep MemFree /proc/meminfo | tr -s ' ' | cut -d ' ' -f 2)"`,
  "cd /tmp",
  "gunyah-mkdisk disk.img 16M",
  `gunyah-vmm -kernel /vm/Image -initrd /vm/initrd.gz -append "${SECONDARY_APPEND}" ` +
  "-m 256M -smp 2 -hda disk.img -nographic",
  `echo "${P}"" vmm-exit $?"`,
  `echo "${P}"" mem-after $(grep MemFree /proc/meminfo | tr -s ' ' | cut -d ' ' -f 2)"`,
  `echo "${P}"" disk $(tar xOf disk.img hello.txt)"`,
  "poweroff -f",
].join("; ") + "\n";

const SECONDARY_LINE = [
  `echo "sec""ondary uname $(uname -r)"`,
  `echo ${PAYLOAD} > /tmp/hello.txt`,
  "tar cf /dev/vda -C /tmp hello.txt",
  "sync",
  `echo "sec""ondary wrote $(tar tf /dev/vda)"`,
  "poweroff -f",
].join("; ") + "\n";

function value(out: string, key: string): string | null {
  const m = new RegExp(`${P} ${key} ([^\\r\\n]*)`).exec(out);
  return m ? m[1].trim() : null;
}

Deno.test({
  name: "e2e: gunyah-vmm in the primary boots a secondary Linux with a disk; exit 0 on poweroff",
  ignore: !enabled,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let typedPrimary = false;
    let typedSecondary = false;
    let duringRun: readonly VmSnapshot[] | null = null;
    const started = performance.now();
    let secondaryAt = 0;
    const run = await runLinuxVm({
      images: { secondaryVm: true },
      ramBytes: 640 << 20,
      timeoutMs: TIMEOUT_MS,
      onOutput: (out, { system, type }) => {
        if (!typedPrimary && out.includes(INIT_MARKER) && PROMPT.test(out)) {
          typedPrimary = true;
          type(PRIMARY_LINE);
        }
        if (!typedSecondary && out.includes(SECONDARY_MARKER) && PROMPT.test(out)) {
          typedSecondary = true;
          secondaryAt = performance.now();
          duringRun = system.status().vms;
          type(SECONDARY_LINE);
        }
      },
    });
    if (run === null) return;
    const { output: text, end, images } = run;
    const tail = text.slice(-6000);
    assert(end !== "timeout", `no end after ${TIMEOUT_MS / 60000} min:\n${tail}`);
    assert(typedPrimary, `the primary's shell never came:\n${tail}`);
    assert(!/gunyah-vmm: not found|can't execute/.test(text), `no gunyah-vmm:\n${tail}`);

    assert(
      !/gunyah-vmm: GH_[A-Z_]+[^\n]*: [A-Z][a-z]/.test(text),
      `gunyah-vmm had an ioctl refused:\n${tail}`,
    );
    assert(typedSecondary, `the secondary never reached its shell:\n${tail}`);
    assert(text.includes(SECONDARY_MARKER), tail);
    assert(
      text.includes(`secondary uname ${images.kernelRelease}`),
      `the secondary ran no command:\n${tail}`,
    );
    assert(text.includes("secondary wrote hello.txt"), tail);
    assert(
      /gunyah-vmm: the VM stopped: powered off \(PSCI SYSTEM_OFF\) \(status 2 EXITED/.test(text),
      tail,
    );
    assert(text.includes("gunyah-vmm: exit status 0"), tail);
    assertEquals(value(text, "vmm-exit"), "0", tail);
    assertEquals(value(text, "disk"), PAYLOAD, `the primary did not read the file:\n${tail}`);
    const before = Number(value(text, "mem-before"));
    const after = Number(value(text, "mem-after"));
    assert(
      after >= before - MEMFREE_SLACK_KIB,
      `MemFree ${before} kB before, ${after} kB after: the primary did not get its memory back`,
    );
    assertEquals(end, { kind: "system_off" }, tail);
    const during = duringRun as readonly VmSnapshot[] | null;
    assert(during !== null && during.length >= 2, "the secondary was not listed while it ran");
    console.log(
      `secondary init marker after ${((secondaryAt - started) / 1000).toFixed(1)} s; ` +
        `MemFree ${before} → ${after} kB; VMs while running: ` +
        during.map((v) => `${v.vmid}:${v.status}`).join(", "),
    );
  },
});
