/**
 * A minimal WebAssembly binary encoder for translated blocks: one module per
 * block with imported memories and functions and one exported function.
 * Opcodes and section layout: WebAssembly Core Specification 2.0, §5
 * (binary format); a memory index on loads and stores is the multi-memory
 * extension's form (bit 6 of the alignment field, then the index).
 *
 * @module
 */

/** Value types (§5.3.1). */
export const I32 = 0x7f, I64 = 0x7e;

/** Opcodes used by the block emitter (§5.4). */
export const enum W {
  Unreachable = 0x00,
  Block = 0x02,
  Loop = 0x03,
  If = 0x04,
  Else = 0x05,
  End = 0x0b,
  Br = 0x0c,
  BrIf = 0x0d,
  Return = 0x0f,
  Call = 0x10,
  Drop = 0x1a,
  Select = 0x1b,
  LocalGet = 0x20,
  LocalSet = 0x21,
  LocalTee = 0x22,
  I32Load = 0x28,
  I64Load = 0x29,
  I32Load8U = 0x2d,
  I32Load16U = 0x2f,
  I64Load8U = 0x31,
  I64Load16U = 0x33,
  I64Load32U = 0x35,
  I32Store = 0x36,
  I64Store = 0x37,
  I64Store8 = 0x3c,
  I64Store16 = 0x3d,
  I64Store32 = 0x3e,
  I32Const = 0x41,
  I64Const = 0x42,
  I32Eqz = 0x45,
  I32Eq = 0x46,
  I32Ne = 0x47,
  I32LtS = 0x48,
  I32LtU = 0x49,
  I32GtS = 0x4a,
  I32GtU = 0x4b,
  I32LeU = 0x4d,
  I64Eqz = 0x50,
  I64Eq = 0x51,
  I64Ne = 0x52,
  I64LtS = 0x53,
  I64LtU = 0x54,
  I64LeU = 0x58,
  I32Add = 0x6a,
  I32Sub = 0x6b,
  I32Mul = 0x6c,
  I32DivS = 0x6d,
  I32DivU = 0x6e,
  I32And = 0x71,
  I32Or = 0x72,
  I32Xor = 0x73,
  I32Shl = 0x74,
  I32ShrS = 0x75,
  I32ShrU = 0x76,
  I32Rotr = 0x78,
  I64Add = 0x7c,
  I64Sub = 0x7d,
  I64Mul = 0x7e,
  I64DivS = 0x7f,
  I64DivU = 0x80,
  I64And = 0x83,
  I64Or = 0x84,
  I64Xor = 0x85,
  I64Shl = 0x86,
  I64ShrS = 0x87,
  I64ShrU = 0x88,
  I64Rotr = 0x8a,
  I32WrapI64 = 0xa7,
  I64ExtendI32S = 0xac,
  I64ExtendI32U = 0xad,
  I32Extend8S = 0xc0,
  I32Extend16S = 0xc1,
  I64Extend8S = 0xc2,
  I64Extend16S = 0xc3,
  I64Extend32S = 0xc4,
}

/** Block type of a `block`/`loop`/`if` without results (§5.3.2 blocktype). */
export const VOID = 0x40;

/** A byte sink with LEB128 helpers (§5.2.2). */
export class Bytes {
  buf: Uint8Array = new Uint8Array(1024);
  length = 0;

  byte(b: number): void {
    if (this.length === this.buf.length) {
      const n = new Uint8Array(this.buf.length * 2);
      n.set(this.buf);
      this.buf = n;
    }
    this.buf[this.length++] = b;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53. */
  u32(v: number): void {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }

  /** Signed LEB128 of a 32-bit integer. */
  s32(v: number): void {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  /** Signed LEB128 of the 64-bit integer with halves `lo`, `hi`. */
  s64(lo: number, hi: number): void {
    let v = BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  bytes(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.byte(b[i]);
  }

  name(s: string): void {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }

  /** The bytes written so far. */
  take(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A memory import: module "m", field `name`. */
export interface MemoryImport {
  readonly name: string;
  readonly shared: boolean;
  /** Minimum pages declared (the imported memory must have at least this many). */
  readonly min: number;
  /** Maximum pages declared (required when shared). */
  readonly max?: number;
}

/** A function import: module "f", field `name`, i32 parameters, zero or one i32 result. */
export interface FunctionImport {
  readonly name: string;
  readonly params: number;
  readonly result: boolean;
}

/**
 * Assemble a module: the memories and functions imported in this order
 * (memory index = position, function index = position), and one function
 * exported as "b" with `params` i32 parameters, an i32 result, the given
 * extra locals (i32 then i64 counts) and body (without the final `end`).
 */
export function assembleModule(
  memories: readonly MemoryImport[],
  functions: readonly FunctionImport[],
  params: number,
  i32Locals: number,
  i64Locals: number,
  body: Bytes,
): Uint8Array {
  // Types: one per imported function, then the block's.
  const types = new Bytes();
  types.u32(functions.length + 1);
  const funcType = (n: number, result: boolean) => {
    types.byte(0x60);
    types.u32(n);
    for (let i = 0; i < n; i++) types.byte(I32);
    if (result) {
      types.u32(1);
      types.byte(I32);
    } else types.u32(0);
  };
  for (const f of functions) funcType(f.params, f.result);
  funcType(params, true);
  const imports = new Bytes();
  imports.u32(memories.length + functions.length);
  for (const m of memories) {
    imports.name("m");
    imports.name(m.name);
    imports.byte(0x02);
    const hasMax = m.max !== undefined;
    imports.byte((m.shared ? 2 : 0) | (hasMax ? 1 : 0));
    imports.u32(m.min);
    if (hasMax) imports.u32(m.max!);
  }
  functions.forEach((f, i) => {
    imports.name("f");
    imports.name(f.name);
    imports.byte(0x00);
    imports.u32(i);
  });
  const fn = new Bytes();
  const groups = (i32Locals > 0 ? 1 : 0) + (i64Locals > 0 ? 1 : 0);
  fn.u32(groups);
  if (i32Locals > 0) {
    fn.u32(i32Locals);
    fn.byte(I32);
  }
  if (i64Locals > 0) {
    fn.u32(i64Locals);
    fn.byte(I64);
  }
  fn.bytes(body.buf.subarray(0, body.length));
  fn.byte(W.End);
  return oneFunctionModule(types, imports, functions.length, functions.length, "b", fn);
}

/**
 * A module that defines one function: the header (§5.5.16), then the type
 * and import sections as given, a function section giving the function type
 * `typeIndex`, an export section exporting it as `exportName` (its index
 * follows the `importedFunctions` imported ones) and a code section with
 * `fn` (locals, body and final `end`; §5.5.13).
 */
function oneFunctionModule(
  types: Bytes,
  imports: Bytes,
  typeIndex: number,
  importedFunctions: number,
  exportName: string,
  fn: Bytes,
): Uint8Array {
  const out = new Bytes();
  out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const section = (id: number, content: Bytes) => {
    out.byte(id);
    out.u32(content.length);
    out.bytes(content.buf.subarray(0, content.length));
  };
  section(1, types);
  section(2, imports);
  const funcs = new Bytes();
  funcs.u32(1);
  funcs.u32(typeIndex);
  section(3, funcs);
  const exports = new Bytes();
  exports.u32(1);
  exports.name(exportName);
  exports.byte(0x00);
  exports.u32(importedFunctions);
  section(7, exports);
  const code = new Bytes();
  code.u32(1);
  code.u32(fn.length);
  code.bytes(fn.buf.subarray(0, fn.length));
  section(10, code);
  return out.take();
}

/** Offsets the dispatcher reads and writes in the state memory (cpu/state_memory.ts). */
export interface DispatcherLayout {
  readonly pcLo: number;
  readonly pcHi: number;
  readonly budget: number;
  readonly leave: number;
  readonly chainBase: number;
  readonly translationKey: number;
  readonly codeGen: number;
  readonly chained: number;
  readonly jumpCache: number;
  readonly jumpCacheMask: number;
  readonly entryBytes: number;
}

/**
 * The dispatcher module: imports the state memory "m"."s" and a funcref
 * table "t"."t" of block functions `() -> i32`, and exports `d(id) -> i32`:
 * it runs the block at table index `id` (`call_indirect`, §5.4.1), then,
 * while the block did not ask to leave and budget remains, looks the PC it
 * ended at up in the jump cache and runs that block too; it returns the
 * instructions retired by all of them. One entry point for every block
 * also lets V8 call it from JavaScript through one monomorphic wrapper.
 */
export function assembleDispatcher(l: DispatcherLayout): Uint8Array {
  const types = new Bytes();
  types.bytes([2, 0x60, 0, 1, I32, 0x60, 1, I32, 1, I32]); // 0: () -> i32; 1: (i32) -> i32
  const imports = new Bytes();
  imports.u32(2);
  imports.name("m");
  imports.name("s");
  imports.bytes([0x02, 0x00, 1]); // memory, min 1
  imports.name("t");
  imports.name("t");
  imports.bytes([0x01, 0x70, 0x00, 1]); // table funcref, min 1
  // Locals: 0 id (param), 1 total, 2 k, 3 budget, 4 e (entry address), 5 pcLo.
  const ID = 0, TOTAL = 1, K = 2, BUDGET = 3, E = 4, PCLO = 5;
  const f = new Bytes();
  f.bytes([1, 5, I32]);
  const get = (x: number) => f.bytes([W.LocalGet, x]);
  const set = (x: number) => f.bytes([W.LocalSet, x]);
  const c = (v: number) => {
    f.byte(W.I32Const);
    f.s32(v);
  };
  const load = (offset: number) => {
    f.bytes([W.I32Load, 2]);
    f.u32(offset);
  };
  const store = (offset: number) => {
    f.bytes([W.I32Store, 2]);
    f.u32(offset);
  };
  const leaveUnless = () => f.bytes([W.If, 0x40, W.Else, W.LocalGet, TOTAL, W.Return, W.End]);
  f.bytes([W.Loop, 0x40]);
  // st[chainBase] = total; k = table[id](); total += k
  c(0);
  get(TOTAL);
  store(l.chainBase);
  get(ID);
  f.bytes([0x11, 0, 0]);
  set(K);
  get(TOTAL);
  get(K);
  f.byte(W.I32Add);
  set(TOTAL);
  // leave asked: return
  c(0);
  load(l.leave);
  f.byte(W.I32Eqz);
  leaveUnless();
  // budget -= k; st[budget] = budget
  c(0);
  load(l.budget);
  get(K);
  f.byte(W.I32Sub);
  set(BUDGET);
  c(0);
  get(BUDGET);
  store(l.budget);
  // e = jumpCache + ((pcLo >>> 2) & mask) * entryBytes
  c(0);
  load(l.pcLo);
  set(PCLO);
  get(PCLO);
  c(2);
  f.byte(W.I32ShrU);
  c(l.jumpCacheMask);
  f.byte(W.I32And);
  c(l.entryBytes);
  f.byte(W.I32Mul);
  set(E);
  // the entry must match PC, translation epoch and EL, code generation, and fit the budget
  get(E);
  load(l.jumpCache);
  get(PCLO);
  f.byte(W.I32Eq);
  leaveUnless();
  for (const [field, word] of [[4, l.pcHi], [8, l.translationKey], [12, l.codeGen]]) {
    get(E);
    load(l.jumpCache + field);
    c(0);
    load(word);
    f.byte(W.I32Eq);
    leaveUnless();
  }
  get(E);
  load(l.jumpCache + 20);
  get(BUDGET);
  f.byte(W.I32LeU);
  leaveUnless();
  get(E);
  load(l.jumpCache + 16);
  set(ID);
  c(0);
  c(0);
  load(l.chained);
  c(1);
  f.byte(W.I32Add);
  store(l.chained);
  f.bytes([W.Br, 0]);
  f.byte(W.End); // loop
  f.byte(W.Unreachable);
  f.byte(W.End);
  return oneFunctionModule(types, imports, 1, 0, "d", f);
}
