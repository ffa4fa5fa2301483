/**
 * Differential check of the PL011 model against QEMU's: one table of
 * register writes and reads is assembled into a bare-metal probe (booted with
 * `qemu-system-aarch64 -M virt -kernel`, which prints every value read
 * through the same UART) and replayed on {@link Pl011} together with the
 * printing writes; the values must agree. Skipped (with a message)
 * when QEMU or the cross assembler is missing.
 */
import { assertEquals } from "@gunyah-ts/tests/assert";
import { Pl011 } from "./pl011.ts";
import { FakeDeviceHost } from "../testing/fake_host.ts";
import { QEMU_HEADLESS_ARGS, QEMU_SYSTEM_AARCH64 } from "../qemu_reference.ts";
import {
  UARTCR,
  UARTDMACR,
  UARTDR,
  UARTFR,
  UARTICR,
  UARTIFLS,
  UARTILPR,
  UARTIMSC,
  UARTLCR_H,
  UARTMIS,
  UARTRIS,
  UARTRSR,
} from "./registers.ts";

type Op = readonly ["r", number] | readonly ["w", number, number];

/**
 * The register script (a newline is the only byte transmitted, so the console
 * stays parseable). It leaves out, on purpose, what the installed QEMU 7.2
 * does differently from our model: IBRD/FBRD keep only their TRM field widths
 * here (7.2 stores all 32 bits), and CR.LBE loopback (modelled by QEMU from
 * 8.1 on, absent in 7.2).
 */
const SCRIPT: Op[] = [
  ["r", UARTFR],
  ["r", UARTCR],
  ["r", UARTIFLS],
  ["r", UARTLCR_H],
  ["r", UARTIMSC],
  ["r", UARTRIS],
  ["r", UARTRSR],
  ["r", UARTDMACR],
  ...[0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o): Op => ["r", o]),
  ["w", UARTIMSC, 0x30],
  ["r", UARTIMSC],
  ["w", UARTDR, 0x0a],
  ["r", UARTRIS],
  ["r", UARTMIS],
  ["w", UARTICR, 0x20],
  ["r", UARTRIS],
  ["r", UARTMIS],
  ["w", UARTILPR, 0x5a],
  ["r", UARTILPR],
  ["w", UARTIFLS, 0x24],
  ["r", UARTIFLS],
  ["w", UARTLCR_H, 0x70],
  ["r", UARTLCR_H],
  ["r", UARTFR],
  ["r", UARTDR], // empty FIFO
  ["r", UARTFR],
  ["r", UARTRIS],
  ["w", UARTRSR, 0],
  ["r", UARTRSR],
  ["w", UARTCR, 0x301],
  ["r", UARTCR],
  ["r", UARTFR],
];

function assemble(script: Op[]): string {
  const lines: string[] = [
    ".text",
    ".globl _start",
    "_start:",
    "  b 0f",
    "  .word 0",
    "  .quad 0",
    "  .quad 0x10000",
    "  .quad 2",
    "  .quad 0, 0, 0",
    "  .word 0x644d5241",
    "  .word 0",
    "0:",
    "  movz x21, #0x0900, lsl #16",
  ];
  for (const op of script) {
    if (op[0] === "w") {
      lines.push(
        `  movz w1, #${op[2] & 0xffff}`,
        `  movk w1, #${op[2] >>> 16}, lsl #16`,
        `  str w1, [x21, #${op[1]}]`,
      );
    } else {
      lines.push(`  ldr w0, [x21, #${op[1]}]`, "  bl puthex");
    }
  }
  lines.push(
    "  movz w0, #0x0008",
    "  movk w0, #0x8400, lsl #16",
    "  hvc #0",
    "1: b 1b",
    "puthex:",
    "  mov x2, #28",
    "2: lsr x1, x0, x2",
    "  and x1, x1, #0xf",
    "  cmp x1, #10",
    "  b.lt 3f",
    "  add x1, x1, #87",
    "  b 4f",
    "3: add x1, x1, #48",
    "4: str w1, [x21]",
    "  subs x2, x2, #4",
    "  b.ge 2b",
    "  mov x1, #10",
    "  str w1, [x21]",
    "  ret",
  );
  return lines.join("\n") + "\n";
}

async function run(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" })
      .output();
    return {
      ok: r.success,
      out: new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr),
    };
  } catch {
    return { ok: false, out: `${cmd} not found` };
  }
}

function replay(script: Op[]): string[] {
  const uart = new Pl011(new FakeDeviceHost());
  const r = uart.regions[0];
  const out = { lo: 0, hi: 0 };
  const values: string[] = [];
  for (const op of script) {
    if (op[0] === "w") r.write(op[1], 4, op[2], 0, 0);
    else {
      r.read(op[1], 4, 0, out);
      const text = out.lo.toString(16).padStart(8, "0");
      values.push(text);
      // the probe prints each value through UARTDR: 8 digits and a newline
      for (const ch of `${text}\n`) r.write(UARTDR, 4, ch.charCodeAt(0), 0, 0);
    }
  }
  return values;
}

Deno.test("PL011 register behaviour matches QEMU's pl011 for the same register script", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/probe.s`, assemble(SCRIPT));
    const as = await run("aarch64-linux-gnu-as", ["-o", `${dir}/probe.o`, `${dir}/probe.s`]);
    if (!as.ok) {
      console.log(`skipping: cannot assemble the probe (${as.out.trim()})`);
      return;
    }
    const oc = await run("aarch64-linux-gnu-objcopy", [
      "-O",
      "binary",
      `${dir}/probe.o`,
      `${dir}/Image`,
    ]);
    if (!oc.ok) throw new Error(oc.out);
    const q = await run("timeout", [
      "20",
      QEMU_SYSTEM_AARCH64,
      "-M",
      "virt,gic-version=3",
      "-cpu",
      "cortex-a57",
      "-m",
      "128M",
      ...QEMU_HEADLESS_ARGS,
      "-no-reboot",
      "-kernel",
      `${dir}/Image`,
    ]);
    if (q.out.includes("not found")) {
      console.log("skipping: qemu-system-aarch64 not found");
      return;
    }
    const qemu = q.out.split(/\r?\n/).filter((l) => /^[0-9a-f]{8}$/.test(l));
    const ours = replay(SCRIPT);
    if (Deno.env.get("PL011_QEMU_DEBUG")) { // print offset, ours, QEMU for each read
      const reads = SCRIPT.filter((op) => op[0] === "r");
      reads.forEach((op, k) => console.log(op[1].toString(16), ours[k], qemu[k]));
    }
    assertEquals(ours, qemu);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
