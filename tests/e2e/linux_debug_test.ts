/**
 * Issue 15 acceptance in the Linux guest: Debian's kernel drives the Arm
 * debug architecture for a debugger. `programs/ptrace_debug.c` (static,
 * cross-compiled, in the initramfs) single-steps a child with
 * PTRACE_SINGLESTEP (MDSCR_EL1.SS, SPSR.SS, software step exceptions) and
 * stops it before a store with a hardware watchpoint set through
 * PTRACE_SETREGSET NT_ARM_HW_WATCH (the kernel's hw_breakpoint programs
 * DBGWVR/DBGWCR). The expected lines are what the same initramfs prints
 * under `qemu-system-aarch64 -M virt -cpu cortex-a57`.
 *
 * Needs the cached guest images and the cross compiler; skips naming what is
 * missing. Run alone: `deno test --allow-all tests/e2e/linux_debug_test.ts`.
 *
 * @module
 */
import { assertEquals } from "../assert.ts";
import { ensureGuestImages, ImageUnavailableError } from "@gunyah-ts/system";
import {
  DEBUG_INIT,
  DEBUG_INIT_DONE,
  debugImages,
  DebugProgramUnavailable,
} from "./debug_program.ts";
import { bootProcess } from "./boot_process.ts";
import { E2E_BOOTARGS } from "./linux_init.ts";

/** Wall-clock limit for the boot (the suite's budget, not a performance target). */
const BOOT_TIMEOUT_MS = 10 * 60_000;

/** What the program prints (the same under QEMU's cortex-a57; see the module doc). */
const EXPECTED = [
  "ptrace-debug: watchpoints=4 debug-arch=6",
  "ptrace-debug: breakpoints=6",
  "ptrace-debug: step 1 sig=5 pc=step_start+4 x0=1",
  "ptrace-debug: step 2 sig=5 pc=step_start+8 x0=3",
  "ptrace-debug: step 3 sig=5 pc=step_start+16 x0=3",
  "ptrace-debug: step 4 sig=5 pc=step_start+20 x0=48",
  "ptrace-debug: step 5 sig=5 pc=step_start+28 x0=48",
  "ptrace-debug: step 6 sig=5 pc=step_start+32 x0=47",
  "ptrace-debug: watchpoint sig=5 code=4 addr-is-watched=1 pc-is-store=1 value-before=1111",
  "ptrace-debug: child store done, watched=2222",
  "ptrace-debug: child exit=0",
  "ptrace-debug: done",
  `${DEBUG_INIT_DONE} status=0`,
];

let skip = "";
try {
  // Fetches and caches the kernel and busybox when apt can (the init here is not used).
  await ensureGuestImages({ init: DEBUG_INIT, vmManager: false, progress: () => {} });
} catch (e) {
  if (!(e instanceof ImageUnavailableError)) throw e;
  skip = e.message;
}

Deno.test({
  name: "linux: ptrace single step and a hardware watchpoint (NT_ARM_HW_WATCH) work in the guest",
  ignore: skip !== "",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "gunyah-debug-e2e-" });
    try {
      let images;
      try {
        images = await debugImages(dir);
      } catch (e) {
        if (e instanceof DebugProgramUnavailable) {
          console.warn(`linux_debug_test: not run — ${e.message}`);
          return;
        }
        throw e;
      }
      if (images === null) throw new Error("no cached guest images after ensureGuestImages");
      const out = await bootProcess(images, ["--append", E2E_BOOTARGS], BOOT_TIMEOUT_MS);
      const text = out.output;
      const lines = text.split(/\r?\n/).filter((l) =>
        l.startsWith("ptrace-debug:") || l.startsWith(DEBUG_INIT_DONE)
      );
      assertEquals(lines, EXPECTED, text.slice(-4000));
      assertEquals(out.code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
