/**
 * End to end: `gunyah boot` boots Debian's unmodified arm64 kernel with a
 * busybox initramfs on two vCPUs and 512 MiB, exactly as a user runs it (the
 * CLI as a subprocess, console on its stdin/stdout), and the guest shows:
 * two CPUs, the timer and the PL011 on the GICv3, a clean dmesg, a shell
 * command typed on the console answered, and `poweroff -f` ending the run
 * with exit status 0. Two boots in deterministic mode print the same bytes.
 *
 * Needs the cached guest images (`deno task gunyah images`, run by the test
 * itself when apt is available); skips with the reason otherwise.
 *
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { ensureGuestImages, type GuestImages, ImageUnavailableError } from "@gunyah-ts/system";
import { bootProcess, type BootRun } from "./boot_process.ts";
import { E2E, E2E_INIT } from "./linux_init.ts";

/**
 * What the test types once the guest is ready (shell arithmetic and a pipe
 * through a second process), as `gunyah boot --when/--type` escapes it.
 */
const COMMAND = 'echo "rt:$((6*7)):$(echo gunyah | tr a-z A-Z)"\\n';
/** Wall-clock limit for one boot (the suite's budget, not a performance target). */
const BOOT_TIMEOUT_MS = 12 * 60_000;

let images: GuestImages | null = null;
let skip = "";
try {
  images = await ensureGuestImages({
    init: E2E_INIT,
    progress: (m) => console.error(`[e2e images] ${m}`),
  });
} catch (e) {
  if (!(e instanceof ImageUnavailableError)) throw e;
  skip = e.message;
}

/**
 * Run `gunyah boot --deterministic` with the e2e initramfs. The command is
 * typed by the boot's own console script the moment the guest says it is
 * ready, so its arrival is part of the deterministic run.
 */
function boot(img: GuestImages): Promise<BootRun> {
  return bootProcess(img, ["--when", `${E2E} ready`, "--type", COMMAND], BOOT_TIMEOUT_MS);
}

function section(output: string, name: string): string {
  const a = output.indexOf(`${E2E} ${name}-begin`);
  const b = output.indexOf(`${E2E} ${name}-end`);
  assert(a >= 0 && b > a, `the guest printed no ${name} section`);
  return output.slice(a, b);
}

Deno.test({
  name: "Debian arm64 Linux boots to a busybox shell on two vCPUs, deterministically",
  ignore: images === null,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // The two boots run side by side (one per host core); each is the whole product path.
    const [a, b] = await Promise.all([boot(images!), boot(images!)]);
    for (const run of [a, b]) {
      assertEquals(
        run.code,
        0,
        `gunyah boot exited ${run.code}; last output:\n${run.output.slice(-2000)}`,
      );
    }
    const out = a.output;
    assert(out.includes(`${E2E} nproc=2`), "nproc is not 2");
    const irq = section(out, "interrupts");
    assert(/GICv3\s+27 Level\s+arch_timer/.test(irq), `no arch_timer on the GICv3:\n${irq}`);
    assert(/GICv3\s+33 Level\s+uart-pl011/.test(irq), `no uart-pl011 on the GICv3:\n${irq}`);
    const dmesg = section(out, "dmesg");
    const forbidden = [
      /\bOops\b/,
      /\bBUG\b/,
      /\bpanic\b/,
      /\bWARNING\b/,
      /SANITY CHECK/,
      /unable to set SRE/,
    ];
    for (const bad of forbidden) {
      assertEquals(dmesg.split("\n").filter((l) => bad.test(l)), [], `dmesg matches ${bad}`);
    }
    assert(out.includes("rt:42:GUNYAH"), "the command typed on the console was not answered");
    assert(out.includes("reboot: Power down"), "the guest did not power down");
    assertEquals(a.output, b.output, "two deterministic boots printed different console output");
  },
});

if (skip) console.error(`linux_boot_test skipped: ${skip}`);
