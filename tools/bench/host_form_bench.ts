/**
 * Which host form should translated guest code take? A measurement of the
 * compute guest's 12-instruction loop (guests/compute.S) written the way each
 * candidate translator would emit it:
 *
 * - **js**: JavaScript source compiled by V8 through `new Function`, 64-bit
 *   registers as two uint32 halves in locals, the guest register file in
 *   `Uint32Array`s, the scratch slot in a `DataView` over a SharedArrayBuffer;
 * - **wasm**: a WebAssembly module built here byte by byte (native `i64`
 *   locals), registers and the scratch slot in a shared `WebAssembly.Memory`.
 *
 * Each form is measured two ways: `call` = one function call per loop
 * iteration that loads the registers from the register file and stores them
 * back (a translated block dispatched from the run loop), and `loop` = the
 * loop inside the generated function (a block chained to itself).
 *
 * Run: `deno run -A tools/bench/host_form_bench.ts [iterations]`. The figures
 * are recorded in tools/bench/PERFORMANCE.md ("Translator host form").
 *
 * @module
 */

const LOOP_INSTRUCTIONS = 12;
/** Byte offset of the scratch slot (the guest's `[x9]`) in both memories. */
const SCRATCH = 0x1000;

// ---------------------------------------------------------------------------
// JavaScript source
// ---------------------------------------------------------------------------

/** The loop body on halves, as a translator emits it (registers in locals). */
const JS_BODY = `
  // add x1, x1, x2
  t = l1 + l2; l1 = t >>> 0; h1 = (h1 + h2 + (t > 0xffffffff ? 1 : 0)) >>> 0;
  // eor x3, x3, x1, lsl #3
  l3 = (l3 ^ (l1 << 3)) >>> 0; h3 = (h3 ^ ((h1 << 3) | (l1 >>> 29))) >>> 0;
  // mul x4, x1, x2
  a0 = l1 & 0xffff; a1 = l1 >>> 16; b0 = l2 & 0xffff; b1 = l2 >>> 16;
  p00 = a0 * b0; p01 = a0 * b1; p10 = a1 * b0;
  mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  l4 = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  h4 = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(l1, h2) + Math.imul(h1, l2)) >>> 0;
  // orr x2, x2, x4, lsr #7
  l2 = (l2 | (l4 >>> 7) | (h4 << 25)) >>> 0; h2 = (h2 | (h4 >>> 7)) >>> 0;
  // and x5, x3, #0xff00
  l5 = l3 & 0xff00; h5 = 0;
  // sub x2, x2, x5
  t = l2 - l5; l2 = t >>> 0; h2 = (h2 - h5 - (t < 0 ? 1 : 0)) >>> 0;
  // str x3, [x9]; ldr x6, [x9]
  mem.setUint32(l9 - base, l3, true); mem.setUint32(l9 - base + 4, h3, true);
  l6 = mem.getUint32(l9 - base, true); h6 = mem.getUint32(l9 - base + 4, true);
  // add x1, x1, x6, asr #2
  s0 = ((l6 >>> 2) | (h6 << 30)) >>> 0; s1 = (h6 >> 2) >>> 0;
  t = l1 + s0; l1 = t >>> 0; h1 = (h1 + s1 + (t > 0xffffffff ? 1 : 0)) >>> 0;
  // subs x0, x0, #1
  t = l0 - 1; l0 = t >>> 0; h0 = (h0 - (t < 0 ? 1 : 0)) >>> 0;
  z = (l0 | h0) === 0;
  // csel x7, x1, x2, ne
  if (!z) { l7 = l1; h7 = h1; } else { l7 = l2; h7 = h2; }
`;

const JS_DECLS = "let t = 0, a0 = 0, a1 = 0, b0 = 0, b1 = 0, p00 = 0, p01 = 0, p10 = 0, " +
  "mid = 0, s0 = 0, s1 = 0, z = false;\n";
const JS_LOAD = Array.from({ length: 10 }, (_, r) => `let l${r} = xl[${r}], h${r} = xh[${r}];`)
  .join("\n");
const JS_STORE = Array.from({ length: 10 }, (_, r) => `xl[${r}] = l${r}; xh[${r}] = h${r};`)
  .join("\n");

type JsBlock = (xl: Uint32Array, xh: Uint32Array, mem: DataView, base: number) => boolean;

function jsCallForm(): JsBlock {
  return new Function(
    "xl",
    "xh",
    "mem",
    "base",
    `${JS_DECLS}${JS_LOAD}\n${JS_BODY}\n${JS_STORE}\nreturn !z;`,
  ) as JsBlock;
}

function jsLoopForm(): JsBlock {
  return new Function(
    "xl",
    "xh",
    "mem",
    "base",
    `${JS_DECLS}${JS_LOAD}\ndo {${JS_BODY}} while (!z);\n${JS_STORE}\nreturn false;`,
  ) as JsBlock;
}

// ---------------------------------------------------------------------------
// WebAssembly, encoded here
// ---------------------------------------------------------------------------

const OP = {
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  i32Const: 0x41,
  i64Const: 0x42,
  i64Load: 0x29,
  i64Store: 0x37,
  i64Ne: 0x52,
  i32WrapI64: 0xa7,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64And: 0x83,
  i64Or: 0x84,
  i64Xor: 0x85,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** Body of one loop iteration on i64 locals 0..9 (x0..x9); leaves nothing on the stack. */
function wasmBody(): number[] {
  const g = (r: number) => [OP.localGet, r];
  const s = (r: number) => [OP.localSet, r];
  const k = (v: bigint) => [OP.i64Const, ...sleb(v)];
  // Memory address of [x9]: the scratch slot (x9 is set to SCRATCH by the driver).
  const addr = [OP.localGet, 9, OP.i32WrapI64];
  return [
    ...g(1),
    ...g(2),
    OP.i64Add,
    ...s(1), // add x1, x1, x2
    ...g(3),
    ...g(1),
    ...k(3n),
    OP.i64Shl,
    OP.i64Xor,
    ...s(3), // eor x3, x3, x1, lsl #3
    ...g(1),
    ...g(2),
    OP.i64Mul,
    ...s(4), // mul x4, x1, x2
    ...g(2),
    ...g(4),
    ...k(7n),
    OP.i64ShrU,
    OP.i64Or,
    ...s(2), // orr x2, x2, x4, lsr #7
    ...g(3),
    ...k(0xff00n),
    OP.i64And,
    ...s(5), // and x5, x3, #0xff00
    ...g(2),
    ...g(5),
    OP.i64Sub,
    ...s(2), // sub x2, x2, x5
    ...addr,
    ...g(3),
    OP.i64Store,
    3,
    0, // str x3, [x9]
    ...addr,
    OP.i64Load,
    3,
    0,
    ...s(6), // ldr x6, [x9]
    ...g(1),
    ...g(6),
    ...k(2n),
    OP.i64ShrS,
    OP.i64Add,
    ...s(1), // add x1, x1, x6, asr #2
    ...g(0),
    ...k(1n),
    OP.i64Sub,
    ...s(0), // subs x0, x0, #1
    ...g(1),
    ...g(2),
    ...g(0),
    ...k(0n),
    OP.i64Ne,
    OP.select,
    ...s(7), // csel x7, x1, x2, ne
  ];
}

/** A module exporting `run(): i32` over an imported shared memory holding x0..x9 at 0. */
function wasmModule(loop: boolean): Uint8Array<ArrayBuffer> {
  const load: number[] = [], store: number[] = [];
  for (let r = 0; r < 10; r++) {
    load.push(OP.i32Const, ...sleb(BigInt(r * 8)), OP.i64Load, 3, 0, OP.localSet, r);
    store.push(OP.i32Const, ...sleb(BigInt(r * 8)), OP.localGet, r, OP.i64Store, 3, 0);
  }
  const cond = [OP.localGet, 0, OP.i64Const, 0, OP.i64Ne]; // x0 != 0 (b.ne)
  const body = loop ? [OP.loop, 0x40, ...wasmBody(), ...cond, OP.brIf, 0, OP.end] : wasmBody();
  const code = [
    1,
    10,
    0x7e, // 10 locals of i64
    ...load,
    ...body,
    ...store,
    ...cond,
    OP.end,
  ];
  const fn = [...uleb(code.length), ...code];
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, [1, 0x60, 0, 1, 0x7f]), // type: () -> i32
    ...section(2, [1, 3, ...[0x65, 0x6e, 0x76], 3, ...[0x6d, 0x65, 0x6d], 2, 3, 1, 1]), // env.mem shared 1..1
    ...section(3, [1, 0]),
    ...section(7, [1, 3, ...[0x72, 0x75, 0x6e], 0, 0]), // export "run"
    ...section(10, [1, ...fn]),
  ];
  return new Uint8Array(bytes);
}

function wasmForm(loop: boolean, memory: WebAssembly.Memory): () => number {
  const mod = new WebAssembly.Module(wasmModule(loop));
  const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
  return inst.exports.run as () => number;
}

// ---------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------

/** Runs `iterations` loop passes of one form; returns MIPS and the final x7 (must agree). */
function measure(name: string, iterations: number): { mips: number; x7: bigint } {
  const initial = [BigInt(iterations), 1n, 3n, 0n];
  let x7 = 0n;
  const t0 = performance.now();
  if (name.startsWith("js")) {
    const xl = new Uint32Array(34), xh = new Uint32Array(34);
    initial.forEach((v, r) => (xl[r] = Number(v)));
    const base = 0x40000000;
    xl[9] = base + SCRATCH;
    const mem = new DataView(new SharedArrayBuffer(0x2000));
    const f = name === "js-call" ? jsCallForm() : jsLoopForm();
    while (f(xl, xh, mem, base));
    x7 = (BigInt(xh[7]) << 32n) | BigInt(xl[7]);
  } else {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const regs = new BigUint64Array(memory.buffer, 0, 10);
    initial.forEach((v, r) => (regs[r] = v));
    regs[9] = BigInt(SCRATCH);
    const f = wasmForm(name === "wasm-loop", memory);
    while (f() !== 0);
    x7 = regs[7];
  }
  const ms = performance.now() - t0;
  return { mips: (iterations * LOOP_INSTRUCTIONS) / ms / 1000, x7 };
}

if (import.meta.main) {
  const iterations = Number(Deno.args[0] ?? 20_000_000);
  const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  console.log(`load average ${load}; ${iterations} iterations x ${LOOP_INSTRUCTIONS}`);
  for (const name of ["js-call", "js-loop", "wasm-call", "wasm-loop"]) {
    const r = [measure(name, iterations), measure(name, iterations), measure(name, iterations)];
    const best = Math.max(...r.map((x) => x.mips));
    console.log(
      `${name.padEnd(10)} ${best.toFixed(0).padStart(5)} MIPS (best of 3)  x7=0x${
        r[0].x7.toString(16)
      }`,
    );
  }
}
