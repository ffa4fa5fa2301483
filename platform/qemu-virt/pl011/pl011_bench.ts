/**
 * The PL011 access path as a guest console drives it: poll UARTFR, write
 * UARTDR. Run with `deno bench platform/qemu-virt/pl011/pl011_bench.ts`.
 */
import { Pl011 } from "./pl011.ts";
import { FakeDeviceHost } from "../testing/fake_host.ts";
import { UARTDR, UARTFR } from "./registers.ts";

const uart = new Pl011(new FakeDeviceHost());
let sink = 0;
uart.setOutput((b) => {
  sink = (sink + b) | 0;
});
const region = uart.regions[0];
const out = { lo: 0, hi: 0 };

Deno.bench("PL011: 10k × (read UARTFR, write UARTDR)", () => {
  for (let i = 0; i < 10_000; i++) {
    region.read(UARTFR, 4, 0, out);
    region.write(UARTDR, 4, 0x41 + (i & 15), 0, 0);
  }
});
