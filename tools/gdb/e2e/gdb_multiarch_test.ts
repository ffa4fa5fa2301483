/**
 * End to end: Debian's gdb-multiarch, in batch mode, debugs a bare-metal
 * guest (gdb_guest.c, built with symbols) on a real system (hypervisor, RM,
 * the primary VM) through the stub, held before its first instruction as
 * `--wait-gdb` holds it: break at a symbol, read registers, step, a write
 * watchpoint hits, continue to the guest's power-off. Skipped, saying why,
 * when gdb-multiarch or the cross compiler is missing (tools/setup.sh
 * installs both).
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import {
  CROSS_GCC,
  GENERAL_REGS_ONLY,
  GUEST_CFLAGS,
  LINKER_SCRIPT,
  MissingToolError,
  RUNTIME_DIR,
  runtimeSources,
  runTool,
} from "@gunyah-ts/tests/guests";
import { GunyahSystem } from "@gunyah-ts/system";
import { type GdbServer, serveGdb, vmDebugTarget } from "../mod.ts";

const GDB = "gdb-multiarch";
const SOURCE = fileURLToPath(new URL("./gdb_guest.c", import.meta.url));
const FAULT_SOURCE = fileURLToPath(new URL("./gdb_fault_guest.c", import.meta.url));

function gdbMissing(): string | null {
  try {
    new Deno.Command(GDB, { args: ["--version"], stdout: "null", stderr: "null" }).outputSync();
    return null;
  } catch {
    return `${GDB} is not installed (Debian package gdb-multiarch; tools/setup.sh installs it)`;
  }
}

const missing = gdbMissing();
if (missing !== null) console.warn(`skipping the gdb-multiarch e2e test: ${missing}`);

/** Build a guest with DWARF (-g) and without optimisation, into `dir`. */
async function buildGuest(dir: string, source = SOURCE): Promise<string> {
  const elf = `${dir}/${source.slice(source.lastIndexOf("/") + 1, -2)}.elf`;
  await runTool(CROSS_GCC, [
    ...GUEST_CFLAGS,
    GENERAL_REGS_ONLY,
    "-g",
    "-O0",
    "-I",
    RUNTIME_DIR,
    "-T",
    LINKER_SCRIPT,
    "-o",
    elf,
    ...runtimeSources().filter((f) => !f.endsWith(".h")),
    source,
  ]);
  return elf;
}

/** A bare-metal guest booted held before its first instruction, with a GDB stub on a free port. */
interface HeldGuest {
  readonly elf: string;
  readonly system: GunyahSystem;
  readonly server: GdbServer;
  /** Virtual time right after the run loop started (the vCPU is held: 0). */
  readonly startTimeNs: number;
  /** What the guest printed so far. */
  output(): string;
  /** Stop the system and the stub, remove the build folder. */
  close(): Promise<void>;
}

/**
 * Build `source` and boot it as VM `name` held for a debugger (`--wait-gdb`);
 * null (after saying why) when the cross compiler is missing.
 */
async function heldGuest(name: string, source = SOURCE): Promise<HeldGuest | null> {
  const dir = await Deno.makeTempDir({ prefix: "gunyah-gdb-" });
  let elf: string;
  try {
    elf = await buildGuest(dir, source);
  } catch (e) {
    await Deno.remove(dir, { recursive: true });
    if (e instanceof MissingToolError) {
      console.warn(`skipping: ${e.message}`);
      return null;
    }
    throw e;
  }
  const system = await GunyahSystem.create({ ramBytes: 64 << 20 });
  const vm = system.launch({
    name,
    memory: 16 << 20,
    vcpus: 1,
    kernel: await Deno.readFile(elf),
    bootargs: "",
  });
  let out = "";
  vm.console.onOutput((b) => out += new TextDecoder().decode(b));
  const target = vmDebugTarget(system, vm);
  target.holdForDebugger();
  const server = serveGdb(target, "127.0.0.1:0");
  const running = system.run();
  return {
    elf,
    system,
    server,
    startTimeNs: system.timeNs,
    output: () => out,
    async close() {
      system.stop();
      await running;
      await server.close();
      await system.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test({
  name: "e2e: gdb-multiarch breaks at a symbol, reads registers, steps, watches and continues",
  ignore: missing !== null,
  async fn() {
    const guest = await heldGuest("gdb");
    if (guest === null) return;
    try {
      const { server, elf } = guest;
      const timeNs = guest.startTimeNs;
      const script = [
        "set pagination off",
        "set confirm off",
        `target remote ${server.address}`,
        "echo @@ held\\n",
        "print $pc",
        "info threads",
        "break gdb_bump",
        "continue",
        "echo @@ registers\\n",
        "info registers x0 pc",
        "print by",
        "echo @@ stepi\\n",
        "stepi",
        "print $pc",
        "echo @@ watch\\n",
        "watch gdb_counter",
        "delete 1",
        "continue",
        "echo @@ monitor\\n",
        "monitor vms",
        "echo @@ end\\n",
        "delete",
        "continue",
      ];
      const [out, err] = await runGdb(elf, script);
      const all = `${out}\n--- stderr ---\n${err}`;
      const section = (name: string) => {
        const from = out.indexOf(`@@ ${name}\n`);
        assert(from >= 0, `no section ${name} in:\n${all}`);
        const to = out.indexOf("@@ ", from + 3);
        return out.slice(from, to < 0 ? undefined : to);
      };
      // Held before the first instruction: the PC is the ELF's entry, time did not move.
      assert(/\$1 = \(void \(\*\)\(\)\) 0x40200000 <_start>/.test(section("held")), all);
      assert(/\* 1\s+Thread 1 "gdb vcpu0"/.test(section("held")), all);
      assertEquals(timeNs, 0);
      // Breakpoint at the symbol, with the argument read through the DWARF frame.
      assert(/Breakpoint 1, gdb_bump \(by=1\) at .*gdb_guest\.c:\d+/.test(out), all);
      const regs = section("registers");
      assert(/^x0\s+0x1\s+1$/m.test(regs), all);
      assert(/^pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <gdb_bump\+\d+>/m.test(regs), all);
      assert(/\$\d+ = 1/.test(regs), all);
      // stepi moved the PC by one instruction.
      const pcAt = /^pc\s+0x([0-9a-f]+)/m.exec(regs)![1];
      const stepped = /\$\d+ = \(void \(\*\)\(\)\) 0x([0-9a-f]+) <gdb_bump\+\d+>/.exec(
        section("stepi"),
      );
      assert(stepped !== null, all);
      assertEquals(BigInt(`0x${stepped[1]}`) - BigInt(`0x${pcAt}`), 4n);
      // The write watchpoint hits at the first store to gdb_counter: 0 → 1.
      const watch = section("watch");
      assert(/Hardware watchpoint 2: gdb_counter/.test(watch), all);
      assert(/Old value = 0\s+New value = 1/.test(watch), all);
      // monitor commands answer from the system's status (gdb prints their output on stderr).
      assert(/vmid\s+name\s+owner\s+status/.test(err), all);
      assert(/0x3\s+gdb\s+0x3f\s+running\s+1\s+16 MiB/.test(err), all);
      // Continued to the end: the guest printed its result and powered off.
      assert(/\[Inferior 1 \(.*\) exited normally\]/.test(section("end")), all);
      assertEquals(guest.output().split("\n")[0], "gdb guest: sum 35 counter 15");
    } finally {
      await guest.close();
    }
  },
});

/** Run gdb-multiarch in batch mode with `commands` and the symbols of `elf`; stdout and stderr. */
async function runGdb(elf: string, commands: readonly string[]): Promise<[string, string]> {
  const gdb = await new Deno.Command(GDB, {
    args: ["-batch", "-nx", ...commands.flatMap((c) => ["-ex", c]), elf],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(240_000),
  }).output();
  const dec = new TextDecoder();
  return [dec.decode(gdb.stdout), dec.decode(gdb.stderr)];
}

Deno.test({
  name: "e2e: a vCPU fault stops the VM under gdb-multiarch as SIGSEGV, with its state to look at",
  ignore: missing !== null,
  async fn() {
    const guest = await heldGuest("fault", FAULT_SOURCE);
    if (guest === null) return;
    try {
      const { server, elf } = guest;
      const [out, err] = await runGdb(elf, [
        "set pagination off",
        `target remote ${server.address}`,
        "continue",
        "echo @@ after\\n",
        "monitor vcpus",
        "p $pc",
        "detach",
      ]);
      const all = `${out}\n--- stderr ---\n${err}`;
      assert(/Program received signal SIGSEGV|received signal SIGSEGV/.test(out), all);
      // Stopped at the vector it could not fetch: VBAR_EL1 (0) + 0x200, current EL with SP_ELx.
      assert(/\$1 = \(void \(\*\)\(\)\) 0x200\n/.test(out), all);
      // The faulting vCPU is held where it stopped: blocked by the fault and by the debugger.
      assert(/thread#\d+\s+fault\s+0\s+READY\s+vcpu_fault,host_debug/.test(err), all);
    } finally {
      await guest.close();
    }
  },
});
