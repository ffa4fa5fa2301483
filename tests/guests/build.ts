/**
 * Builds the test guests with the AArch64 cross compiler, caching each ELF by
 * a hash of everything that goes into it (its sources, the runtime, the flags
 * and the compiler version).
 *
 * Usage: `deno run --allow-all tests/guests/build.ts [name ...]`
 *
 * @module
 */
import { join } from "node:path";
import {
  BUILD_DIR,
  type GuestSpec,
  LINKER_SCRIPT,
  listGuests,
  RUNTIME_DIR,
  runtimeSources,
} from "./catalogue.ts";
import { CROSS_GCC, crossGccVersion, MissingToolError, runTool } from "./toolchain.ts";

/** Flags every guest is compiled with (freestanding, static, at EL1 with the MMU off). */
export const GUEST_CFLAGS: readonly string[] = [
  "-ffreestanding",
  "-nostdlib",
  "-static",
  "-O1",
  "-march=armv8-a+crc",
  "-mstrict-align",
  "-mno-outline-atomics",
  "-fno-stack-protector",
  "-fno-pie",
  "-no-pie",
  "-fno-tree-loop-distribute-patterns",
  "-fno-asynchronous-unwind-tables",
  "-Wall",
  "-Wl,--build-id=none",
];

/** Added for guests that do not test FP/AdvSIMD, so the compiler never emits FP code. */
export const GENERAL_REGS_ONLY = "-mgeneral-regs-only";

/** A built guest image. */
export interface BuiltGuest {
  /** Guest name (file stem). */
  readonly name: string;
  /** Path of the ELF. */
  readonly elf: string;
  /** The cache key it was built under (hex SHA-256). */
  readonly key: string;
}

async function sha256Hex(parts: readonly (string | Uint8Array)[]): Promise<string> {
  const enc = new TextEncoder();
  const chunks = parts.map((p) => typeof p === "string" ? enc.encode(p) : p);
  const total = chunks.reduce((n, c) => n + c.length + 1, 0);
  const buf = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    buf.set(c, at);
    at += c.length + 1; // a zero separator between parts
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buf));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Where a board derived from QEMU virt puts what the guest runtime touches
 * (tests/guests/runtime/rt.h), for building the guests for that board: the
 * runtime's addresses become -D overrides and the image is linked 2 MiB above
 * `ramBase`. The GICR frames must lie within 1 MiB above the GICD (the
 * runtime maps that MiB for both).
 */
export interface GuestBoard {
  /** First byte of RAM (the image is linked 2 MiB above it). */
  readonly ramBase: number;
  /** IPA of the GICv3 distributor (GICD) frame. */
  readonly gicdBase: number;
  /** IPA of vCPU 0's redistributor (GICR) frames. */
  readonly gicrBase: number;
  /** IPA of the PL011 UART. */
  readonly uartBase: number;
}

function boardFlags(board: GuestBoard | undefined): string[] {
  if (board === undefined) return [];
  const h = (n: number) => `0x${n.toString(16)}`;
  return [
    `-DVIRT_RAM_BASE=${h(board.ramBase)}UL`,
    `-DVIRT_GICD_BASE=${h(board.gicdBase)}UL`,
    `-DVIRT_GICR_BASE=${h(board.gicrBase)}UL`,
    `-DVIRT_UART_BASE=${h(board.uartBase)}UL`,
    `-Wl,--defsym=GUEST_RAM_BASE=${h(board.ramBase)}`,
  ];
}

function flagsFor(spec: GuestSpec, board?: GuestBoard): string[] {
  const base = spec.fp ? [...GUEST_CFLAGS] : [...GUEST_CFLAGS, GENERAL_REGS_ONLY];
  return [...base, ...boardFlags(board)];
}

/** The cache key of a guest: its sources, the runtime, the linker script, flags and compiler. */
export async function guestKey(spec: GuestSpec, board?: GuestBoard): Promise<string> {
  const files = [...spec.sources, ...runtimeSources(), LINKER_SCRIPT];
  const parts: (string | Uint8Array)[] = [
    await crossGccVersion(),
    flagsFor(spec, board).join(" "),
  ];
  for (const f of files) parts.push(f.slice(f.lastIndexOf("/") + 1), await Deno.readFile(f));
  return sha256Hex(parts);
}

function readIfExists(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * Build one guest (or reuse the cached ELF). Returns where it is.
 * Throws {@link MissingToolError} (from toolchain.ts) if the cross compiler is absent.
 */
export async function buildGuest(
  spec: GuestSpec,
  outDir: string = BUILD_DIR,
  board?: GuestBoard,
): Promise<BuiltGuest & { cached: boolean }> {
  const key = await guestKey(spec, board);
  const elf = join(outDir, `${spec.name}.elf`);
  const keyFile = join(outDir, `${spec.name}.key`);
  if (readIfExists(keyFile) === key && readIfExists(elf) !== null) {
    return { name: spec.name, elf, key, cached: true };
  }
  Deno.mkdirSync(outDir, { recursive: true });
  const sources = runtimeSources().filter((f) => !f.endsWith(".h"));
  await runTool(CROSS_GCC, [
    ...flagsFor(spec, board),
    "-I",
    RUNTIME_DIR,
    "-T",
    LINKER_SCRIPT,
    "-o",
    elf,
    ...sources,
    ...spec.sources,
  ]);
  Deno.writeTextFileSync(keyFile, key);
  return { name: spec.name, elf, key, cached: false };
}

/**
 * Build every guest (or those named in `only`), two at a time, printing progress
 * through `log`. Returns them sorted by name.
 */
export async function buildAll(
  only: readonly string[] = [],
  log: (line: string) => void = (l) => console.error(l),
): Promise<BuiltGuest[]> {
  let specs = listGuests();
  if (only.length) {
    const unknown = only.filter((n) => !specs.some((s) => s.name === n));
    if (unknown.length) throw new Error(`no such guest(s): ${unknown.join(", ")} (see ${"src/"})`);
    specs = specs.filter((s) => only.includes(s.name));
  }
  const results: BuiltGuest[] = new Array(specs.length);
  const failures: string[] = [];
  let next = 0, done = 0, compiled = 0;
  const workers = Math.max(1, Math.min(2, navigator.hardwareConcurrency));
  await Promise.all(Array.from({ length: workers }, async () => {
    while (next < specs.length) {
      const i = next++;
      let r;
      try {
        r = await buildGuest(specs[i]);
      } catch (e) {
        if (e instanceof MissingToolError) throw e;
        failures.push(`${specs[i].name}: ${(e as Error).message}`);
        continue;
      }
      results[i] = r;
      done++;
      if (!r.cached) {
        compiled++;
        log(`[guests] built ${r.name} (${done}/${specs.length})`);
      }
    }
  }));
  if (failures.length) {
    throw new Error(`${failures.length} guest(s) failed to build:\n${failures.join("\n")}`);
  }
  log(
    `[guests] ${specs.length} guests ready (${compiled} compiled, ${
      specs.length - compiled
    } cached)`,
  );
  return results;
}

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(
      "deno task guests [name ...]: build the test guests (all, or those named; see tests/guests/src)\n" +
        "with the AArch64 cross compiler into tests/guests/build, cached; prints each ELF's path.\n" +
        "Exit status: 0 built, 1 a guest is unknown or the toolchain failed (the reason is printed).",
    );
    Deno.exit(0);
  }
  try {
    const built = await buildAll(Deno.args);
    for (const b of built) console.log(b.elf);
  } catch (e) {
    console.error(`build.ts: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
