import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { MmioResult } from "@gunyah-ts/core/plugin";
import { Pl011 } from "./pl011.ts";
import { FakeDeviceHost } from "../testing/fake_host.ts";
import {
  CR_LBE,
  CR_RESET,
  CR_RTS,
  CR_TXE,
  CR_UARTEN,
  DR_BE,
  FR_CTS,
  FR_RXFE,
  FR_RXFF,
  FR_TXFE,
  INT_BE,
  INT_CTS,
  INT_OE,
  INT_RX,
  INT_TX,
  LCR_H_FEN,
  UARTCR,
  UARTDMACR,
  UARTDR,
  UARTFBRD,
  UARTFR,
  UARTIBRD,
  UARTICR,
  UARTIFLS,
  UARTIMSC,
  UARTLCR_H,
  UARTMIS,
  UARTRIS,
  UARTRSR,
} from "./registers.ts";

function setup() {
  const host = new FakeDeviceHost();
  const uart = new Pl011(host);
  const region = uart.regions[0];
  const out = { lo: 0, hi: 0 };
  const rd = (off: number, size = 4): number => {
    assertEquals(region.read(off, size, 0, out), MmioResult.Handled);
    return out.lo;
  };
  const wr = (off: number, v: number, size = 4): void => {
    assertEquals(region.write(off, size, v, 0, 0), MmioResult.Handled);
  };
  const sent: number[] = [];
  uart.setOutput((b) => sent.push(b));
  return { host, uart, region, rd, wr, sent };
}

Deno.test("PL011 sits at 0x09000000, drives INTID 33 and reports the PrimeCell IDs", () => {
  const { uart, rd } = setup();
  assertEquals(uart.regions[0].base, 0x09000000);
  assertEquals(uart.regions[0].size, 0x1000);
  assertEquals(uart.intid, 33);
  const ids = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => rd(o));
  assertEquals(ids, [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
});

Deno.test("PL011 reset values: FR = TXFE|RXFE, CR = TXE|RXE, IFLS = 0x12", () => {
  const { rd } = setup();
  assertEquals(rd(UARTFR), FR_TXFE | FR_RXFE);
  assertEquals(rd(UARTCR), CR_RESET);
  assertEquals(rd(UARTIFLS), 0x12);
  assertEquals(rd(UARTLCR_H), 0);
  assertEquals(rd(UARTIMSC), 0);
});

Deno.test("PL011 transmits immediately (also with 8/16-bit writes) and raises TXIS", () => {
  const { host, rd, wr, sent } = setup();
  wr(UARTIMSC, INT_TX);
  assertEquals(host.line(33), false);
  wr(UARTDR, 0x41);
  wr(UARTDR, 0x142, 2); // only the low byte is data
  wr(UARTDR, 0x43, 1);
  assertEquals(sent, [0x41, 0x42, 0x43]);
  assertEquals(rd(UARTRIS) & INT_TX, INT_TX);
  assertEquals(rd(UARTMIS), INT_TX);
  assertEquals(host.line(33), true);
  assertEquals(rd(UARTFR) & FR_TXFE, FR_TXFE);
  wr(UARTICR, INT_TX);
  assertEquals(host.line(33), false);
  assertEquals(rd(UARTMIS), 0);
});

Deno.test("PL011 without FEN holds one character; input beyond it waits on the host side", () => {
  const { host, uart, rd, wr } = setup();
  wr(UARTCR, CR_UARTEN | CR_TXE | 0x200);
  wr(UARTIMSC, INT_RX);
  uart.pushInput("abc");
  assertEquals(uart.pendingInput, 2);
  assertEquals(rd(UARTFR) & (FR_RXFE | FR_RXFF), FR_RXFF);
  assertEquals(host.line(33), true);
  assertEquals(rd(UARTDR), 0x61);
  assertEquals(rd(UARTDR), 0x62);
  assertEquals(host.line(33), true); // the next byte moved in at once
  assertEquals(rd(UARTDR), 0x63);
  assertEquals(rd(UARTFR) & FR_RXFE, FR_RXFE);
  assertEquals(rd(UARTRIS) & INT_RX, 0);
  assertEquals(host.line(33), false);
});

Deno.test("PL011 with FEN buffers 16 characters; RXFF at 16; nothing lost beyond", () => {
  const { uart, rd, wr } = setup();
  wr(UARTLCR_H, LCR_H_FEN | 0x60);
  const text = "0123456789abcdefghijklmnopqrstuvwxyz";
  uart.pushInput(text);
  assertEquals(uart.pendingInput, text.length - 16);
  assertEquals(rd(UARTFR) & FR_RXFF, FR_RXFF);
  let got = "";
  while ((rd(UARTFR) & FR_RXFE) === 0) got += String.fromCharCode(rd(UARTDR) & 0xff);
  assertEquals(got, text);
  assertEquals(uart.pendingInput, 0);
});

Deno.test("PL011 toggling FEN empties the FIFO, then refills from the host queue", () => {
  const { uart, rd, wr } = setup();
  wr(UARTLCR_H, LCR_H_FEN);
  uart.pushInput(new Uint8Array(20).fill(0x78));
  assertEquals(uart.pendingInput, 4);
  wr(UARTLCR_H, 0); // FIFO off: the 16 buffered characters are flushed
  assertEquals(uart.pendingInput, 3);
  assertEquals(rd(UARTDR), 0x78);
  assertEquals(uart.pendingInput, 2);
});

Deno.test("PL011 receive errors: a break arrives as DR.BE, sets BEIS, RSR, and ECR clears it", () => {
  const { uart, host, rd, wr } = setup();
  wr(UARTIMSC, INT_BE);
  uart.pushBreak();
  assertEquals(host.line(33), true);
  assertEquals(rd(UARTDR), DR_BE);
  assertEquals(rd(UARTRSR), DR_BE >> 8);
  wr(UARTRSR, 0);
  assertEquals(rd(UARTRSR), 0);
  wr(UARTICR, 0x7ff);
  assertEquals(host.line(33), false);
});

Deno.test("PL011 loopback returns TX into RX, overruns when full, and mirrors RTS onto CTS", () => {
  const { rd, wr, sent } = setup();
  wr(UARTCR, CR_RESET | CR_UARTEN | CR_LBE | CR_RTS);
  assertEquals(rd(UARTFR) & FR_CTS, FR_CTS);
  assertEquals(rd(UARTRIS) & INT_CTS, INT_CTS);
  wr(UARTDR, 0x55);
  assertEquals(sent, [0x55]);
  wr(UARTDR, 0x66); // holding register already full
  assertEquals(rd(UARTRIS) & INT_OE, INT_OE);
  assertEquals(rd(UARTDR), 0x55);
  assertEquals(rd(UARTRSR) & 0x8, 0x8);
});

Deno.test("PL011 baud, DMA and masked registers keep their field widths; sub-word reads shift", () => {
  const { host, rd, wr } = setup();
  wr(UARTIBRD, 0x12345);
  wr(UARTFBRD, 0xff);
  assertEquals(rd(UARTIBRD), 0x2345);
  assertEquals(rd(UARTFBRD), 0x3f);
  assertEquals(rd(UARTCR + 1, 1), CR_RESET >> 8);
  wr(UARTDMACR, 3);
  assertEquals(rd(UARTDMACR), 3);
  assert(host.messages.some((m) => m.includes("DMA")));
  assertEquals(rd(0x800), 0);
  assert(host.messages.some((m) => m.includes("unknown register")));
});

Deno.test("PL011 reset restores power-on state and lowers the line; describe reports counters", () => {
  const { uart, host, rd, wr } = setup();
  wr(UARTIMSC, INT_TX);
  wr(UARTDR, 0x30);
  assertEquals(host.line(33), true);
  uart.reset();
  assertEquals(host.line(33), false);
  assertEquals(rd(UARTIMSC), 0);
  assertEquals(rd(UARTRIS), 0);
  assertEquals(uart.describe().transmitted, 1);
});
