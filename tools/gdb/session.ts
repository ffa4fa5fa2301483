/**
 * The GDB remote protocol engine of one client connection (GDB manual,
 * "Remote Protocol" → "Packets", "General Query Packets", "Stop Reply
 * Packets"): all-stop mode, one thread per vCPU (thread id = vCPU index + 1),
 * no multiprocess extensions.
 *
 * | packet | here |
 * | --- | --- |
 * | `?` | the last stop |
 * | `g` / `G`, `p` / `P` | registers of the `Hg` thread, laid out by the target description |
 * | `m` / `M` / `X` | memory through the `Hg` thread's stage-1 view; a fault is `E14` |
 * | `Z0`/`Z1`, `z0`/`z1` | host breakpoints (guest memory is never written) |
 * | `Z2`/`Z3`/`Z4` and `z` | write / read / access watchpoints |
 * | `c`, `s`, `vCont` (`c`, `C`, `s`, `S`, per thread) | resume; the reply comes with the next stop |
 * | `H g`/`H c`, `T`, `qC`, `qfThreadInfo`/`qsThreadInfo`, `qXfer:threads:read` | threads |
 * | `qSupported`, `QStartNoAckMode`, `qXfer:features:read` | capabilities, no-ack mode, target.xml |
 * | `qRcmd` | `monitor` commands (the target's) |
 * | `D`, `k` | detach: the guest resumes (`k` does not destroy the VM) |
 *
 * Anything else gets the empty reply ("unsupported"); a malformed packet an
 * `E` reply. Nothing a client sends throws out of {@link GdbSession.handle}.
 *
 * @module
 */
import type { HostWatchpoint } from "@gunyah-ts/core/plugin";
import {
  bytesToHex,
  escapeBinary,
  hexToBytes,
  parseHex,
  registerFromHex,
  registerToHex,
  textToHex,
} from "./packet.ts";
import type { GdbStop, GdbTarget, VcpuResume } from "./target.ts";
import { parseTargetRegisters, type TargetRegister } from "./target_description.ts";

/** Largest packet we accept and send, advertised in qSupported (bytes, hex in the reply). */
export const PACKET_SIZE = 0x4000;
/** Largest memory read answered at once: two hex digits per byte must fit a packet. */
export const MAX_MEMORY_READ = (PACKET_SIZE - 16) >> 1;

/** POSIX signal numbers GDB expects in stop replies (GDB's own numbering for these). */
export const GDB_SIGINT = 2;
/** SIGTRAP: a breakpoint, watchpoint or step. */
export const GDB_SIGTRAP = 5;
/** SIGSEGV: a vCPU fault. */
export const GDB_SIGSEGV = 11;

/** Error replies (errno values, as GDB's stubs use them). */
const E_MALFORMED = "E01";
/** EFAULT: memory not accessible. */
const E_FAULT = "E14";
/** No such thread / register / target support. */
const E_NOENT = "E02";
/** ENOSPC: no room for another watchpoint. */
const E_NOSPC = "E1c";

/** Watchpoint types by Z packet type (2 write, 3 read, 4 access). */
const WATCH_KINDS: Record<string, number> = { "2": 1, "3": 2, "4": 3 };
/** Stop reply field naming the watchpoint kind. */
const WATCH_FIELDS: Record<number, string> = { 1: "watch", 2: "rwatch", 3: "awatch" };

/** What {@link GdbSession.handle} asks of the connection beyond the reply. */
export interface SessionEffects {
  /** Send a packet (replies and asynchronous stop replies). */
  send(data: Uint8Array): void;
  /** Close the connection (after `D` / `k`, once the reply is out). */
  close(): void;
}

/** One client's protocol state. */
export class GdbSession {
  readonly #target: GdbTarget;
  readonly #fx: SessionEffects;
  readonly #registers: readonly TargetRegister[];
  /** Whether the client switched acknowledgements off (QStartNoAckMode). */
  noAck = false;
  /** Thread of `g`/`m`/... (vCPU index); and of `c`/`s`: -1 all. */
  #gThread = 0;
  #cThread = -1;
  /** The last stop reply (for `?`). */
  #lastStop: string;
  /** A resume or interrupt is outstanding: the next stop is sent as a reply. */
  #waiting = false;
  readonly #breakpoints = new Set<bigint>();
  readonly #watchpoints = new Map<string, HostWatchpoint>();
  #closed = false;
  /** Set while the constructor stops the VM. */
  #attachStop = false;

  /** A session of `target`; attaches to it and stops the VM (GDB expects a stopped target). */
  constructor(target: GdbTarget, effects: SessionEffects) {
    this.#target = target;
    this.#fx = effects;
    this.#registers = parseTargetRegisters(target.targetXml);
    this.#lastStop = `S${hex2(GDB_SIGTRAP)}`;
    target.attach((stop) => this.#onStop(stop));
    if (target.stopped) {
      const first = target.threads()[0]?.vcpu ?? 0;
      this.#lastStop = this.#stopReply({ kind: "interrupt", vcpu: first }, GDB_SIGTRAP);
      this.#gThread = first;
    } else {
      // Stopped now, reported to `?` as SIGTRAP (not SIGINT: nobody pressed Ctrl-C).
      this.#attachStop = true;
      target.stop();
      this.#attachStop = false;
    }
  }

  /** The client sent Ctrl-C: stop the VM; the stop reply follows. */
  interrupt(): void {
    if (this.#closed) return;
    if (this.#target.stopped) {
      // Already stopped (a resume was refused or raced): answer the waiting client anyway.
      if (this.#waiting) {
        this.#waiting = false;
        this.#reply(this.#lastStop);
      }
      return;
    }
    this.#waiting = true;
    this.#target.stop();
  }

  /** The connection went away: detach (the guest resumes). */
  disconnected(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#target.detach();
  }

  /** Handle one packet's data; the reply (if any now) goes out through `send`. */
  handle(data: Uint8Array): void {
    if (this.#closed) return;
    const text = new TextDecoder("latin1").decode(data);
    let reply: string | Uint8Array | null;
    try {
      reply = this.#dispatch(text, data);
    } catch (e) {
      // A bug must not kill the session: the client sees an error reply.
      reply = E_MALFORMED;
      console.error(`gdb stub: ${text.slice(0, 40)}: ${(e as Error).message}`);
    }
    if (reply !== null) this.#reply(reply);
  }

  #reply(r: string | Uint8Array): void {
    this.#fx.send(typeof r === "string" ? new TextEncoder().encode(r) : r);
  }

  #onStop(stop: GdbStop): void {
    let reply: string;
    if (stop.kind === "exited") {
      reply = `W${hex2(stop.code)}`;
    } else {
      const signal = stop.kind === "interrupt"
        ? (this.#attachStop ? GDB_SIGTRAP : GDB_SIGINT)
        : stop.kind === "fault"
        ? GDB_SIGSEGV
        : GDB_SIGTRAP;
      reply = this.#stopReply(stop, signal);
      this.#gThread = stop.vcpu;
    }
    this.#lastStop = reply;
    // The VM's end is news even to a client that is not waiting, unless it is just attaching.
    if (this.#waiting || (stop.kind === "exited" && !this.#attachStop)) {
      this.#waiting = false;
      this.#reply(reply);
    }
  }

  #stopReply(stop: Exclude<GdbStop, { kind: "exited" }>, signal: number): string {
    let r = `T${hex2(signal)}`;
    if (stop.kind === "watchpoint") {
      r += `${WATCH_FIELDS[stop.watch] ?? "awatch"}:${stop.address.toString(16)};`;
    }
    return r + `thread:${(stop.vcpu + 1).toString(16)};`;
  }

  #dispatch(text: string, raw: Uint8Array): string | Uint8Array | null {
    const c = text[0];
    switch (c) {
      case "?":
        return this.#lastStop;
      case "g":
        return this.#readAll();
      case "G":
        return this.#writeAll(text.slice(1));
      case "p":
        return this.#readOne(text.slice(1));
      case "P":
        return this.#writeOne(text.slice(1));
      case "m":
        return this.#readMemory(text.slice(1));
      case "M":
        return this.#writeMemoryHex(text.slice(1));
      case "X":
        return this.#writeMemoryBinary(text, raw);
      case "Z":
      case "z":
        return this.#breakpoint(c === "Z", text.slice(1));
      case "c":
        return this.#resume(() => "continue", text.slice(1));
      case "C":
        return this.#resume(() => "continue", text.slice(1).replace(/^[0-9a-fA-F]+;?/, ""));
      case "s":
      case "S":
        return this.#step(c === "s" ? text.slice(1) : text.slice(1).replace(/^[0-9a-fA-F]+;?/, ""));
      case "H":
        return this.#setThread(text.slice(1));
      case "T":
        return this.#threadAlive(text.slice(1));
      case "D":
        this.#closeAfter();
        return "OK";
      case "k":
        this.#closeAfter();
        return null;
      case "q":
        return this.#query(text);
      case "Q":
        if (text === "QStartNoAckMode") {
          this.#reply("OK");
          this.noAck = true;
          return null;
        }
        return "";
      case "v":
        return this.#vPacket(text);
      default:
        return "";
    }
  }

  #closeAfter(): void {
    this.#closed = true;
    this.#target.detach();
    queueMicrotask(() => this.#fx.close());
  }

  // ---- threads ----

  #vcpuOf(id: string): number | null {
    if (id === "-1") return -1;
    const n = parseHex(id);
    if (n === null) return null;
    if (n === 0n) return 0; // "any thread": the first
    const vcpu = Number(n) - 1;
    return this.#target.threads().some((t) => t.vcpu === vcpu) ? vcpu : null;
  }

  #setThread(arg: string): string {
    const op = arg[0];
    const v = this.#vcpuOf(arg.slice(1));
    if ((op !== "g" && op !== "c") || v === null) return E_NOENT;
    if (op === "g") this.#gThread = v < 0 ? this.#firstThread() : v;
    else this.#cThread = arg.slice(1) === "0" ? -1 : v;
    return "OK";
  }

  #firstThread(): number {
    return this.#target.threads()[0]?.vcpu ?? 0;
  }

  #threadAlive(arg: string): string {
    const v = this.#vcpuOf(arg);
    return v === null || v < 0 ? E_NOENT : "OK";
  }

  // ---- registers ----

  #readAll(): string {
    let s = "";
    for (const r of this.#registers) {
      const v = this.#target.readRegister(this.#gThread, r.number);
      s += v === null ? "xx".repeat(r.bytes) : registerToHex(v, r.bytes);
    }
    return s;
  }

  #writeAll(hex: string): string {
    let at = 0;
    for (const r of this.#registers) {
      const part = hex.slice(at, at + 2 * r.bytes);
      if (part.length === 0) break; // a short G sets the first registers only
      if (part.length !== 2 * r.bytes) return E_MALFORMED;
      at += part.length;
      if (part.includes("x")) continue;
      const v = registerFromHex(part);
      if (v === null) return E_MALFORMED;
      this.#target.writeRegister(this.#gThread, r.number, v);
    }
    return "OK";
  }

  #register(n: string): TargetRegister | null {
    const num = parseHex(n);
    if (num === null) return null;
    return this.#registers.find((r) => r.number === Number(num)) ?? null;
  }

  #readOne(arg: string): string {
    const r = this.#register(arg);
    if (r === null) return E_NOENT;
    const v = this.#target.readRegister(this.#gThread, r.number);
    return v === null ? "xx".repeat(r.bytes) : registerToHex(v, r.bytes);
  }

  #writeOne(arg: string): string {
    const eq = arg.indexOf("=");
    if (eq < 0) return E_MALFORMED;
    const r = this.#register(arg.slice(0, eq));
    if (r === null) return E_NOENT;
    const hex = arg.slice(eq + 1);
    const v = hex.length === 2 * r.bytes ? registerFromHex(hex) : null;
    if (v === null) return E_MALFORMED;
    return this.#target.writeRegister(this.#gThread, r.number, v) ? "OK" : E_NOENT;
  }

  // ---- memory ----

  /** `addr,length` → numbers, or null. */
  #addrLen(arg: string): { addr: bigint; len: number } | null {
    const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(arg);
    if (!m) return null;
    const addr = parseHex(m[1]), len = parseHex(m[2]);
    if (addr === null || len === null || addr >= 1n << 64n || len > 0x7fffffffn) return null;
    return { addr, len: Number(len) };
  }

  #readMemory(arg: string): string {
    const a = this.#addrLen(arg);
    if (a === null) return E_MALFORMED;
    const len = Math.min(a.len, MAX_MEMORY_READ);
    if (len === 0) return "";
    const bytes = this.#target.readMemory(this.#gThread, a.addr, len);
    return bytes.length === 0 ? E_FAULT : bytesToHex(bytes);
  }

  #writeMemoryHex(arg: string): string {
    const colon = arg.indexOf(":");
    if (colon < 0) return E_MALFORMED;
    const a = this.#addrLen(arg.slice(0, colon));
    const data = hexToBytes(arg.slice(colon + 1));
    if (a === null || data === null || data.length !== a.len) return E_MALFORMED;
    if (a.len === 0) return "OK";
    return this.#target.writeMemory(this.#gThread, a.addr, data) ? "OK" : E_FAULT;
  }

  #writeMemoryBinary(text: string, raw: Uint8Array): string {
    const colon = text.indexOf(":");
    if (colon < 0) return E_MALFORMED;
    const a = this.#addrLen(text.slice(1, colon));
    if (a === null) return E_MALFORMED;
    // The decoder already resolved escapes: the rest of the packet is the data.
    const data = raw.subarray(colon + 1);
    if (data.length !== a.len) return E_MALFORMED;
    if (a.len === 0) return "OK";
    return this.#target.writeMemory(this.#gThread, a.addr, data) ? "OK" : E_FAULT;
  }

  // ---- breakpoints and watchpoints ----

  #breakpoint(insert: boolean, arg: string): string {
    const m = /^([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)(;.*)?$/.exec(arg);
    if (!m) return E_MALFORMED;
    const addr = parseHex(m[2]), kind = parseHex(m[3]);
    if (addr === null || kind === null || addr >= 1n << 64n) return E_MALFORMED;
    if (m[1] === "0" || m[1] === "1") {
      // Software and hardware breakpoints alike are the architecture's host breakpoints.
      if (insert) this.#breakpoints.add(addr);
      else this.#breakpoints.delete(addr);
      this.#target.setBreakpoints([...this.#breakpoints]);
      return "OK";
    }
    const length = Number(kind);
    if (length <= 0 || length > 0x10000) return E_MALFORMED;
    const key = `${m[1]}:${addr}:${length}`;
    if (!insert) {
      this.#watchpoints.delete(key);
      this.#target.setWatchpoints([...this.#watchpoints.values()]);
      return "OK";
    }
    const before = [...this.#watchpoints.values()];
    this.#watchpoints.set(key, { va: addr, length, kind: WATCH_KINDS[m[1]] });
    try {
      this.#target.setWatchpoints([...this.#watchpoints.values()]);
    } catch {
      // More than the architecture holds: refused, the others stay (GDB says it cannot insert it).
      this.#watchpoints.delete(key);
      this.#target.setWatchpoints(before);
      return E_NOSPC;
    }
    return "OK";
  }

  // ---- running ----

  /** `c [addr]`: continue the `Hc` thread(s); an address first moves its PC. */
  #resume(how: (vcpu: number) => VcpuResume, addr: string): string | null {
    if (addr.length > 0 && !this.#setPc(this.#cThread < 0 ? this.#gThread : this.#cThread, addr)) {
      return E_MALFORMED;
    }
    return this.#go(how);
  }

  /** `s [addr]`: step the `Hc` thread (the last stopped one if all); the others continue, as QEMU's stub does. */
  #step(addr: string): string | null {
    const t = this.#cThread < 0 ? this.#gThread : this.#cThread;
    if (addr.length > 0 && !this.#setPc(t, addr)) return E_MALFORMED;
    return this.#go((v) => v === t ? "step" : "continue");
  }

  #setPc(vcpu: number, addr: string): boolean {
    const a = parseHex(addr);
    const pc = this.#registers.find((r) => r.name === "pc");
    if (a === null || pc === undefined) return false;
    return this.#target.writeRegister(vcpu, pc.number, a);
  }

  #go(how: (vcpu: number) => VcpuResume): string | null {
    if (!this.#target.stopped) return E_MALFORMED;
    this.#waiting = true;
    if (!this.#target.resume(how)) {
      this.#waiting = false;
      return E_NOENT;
    }
    return null;
  }

  /** `vCont;action[:thread]...`: per-thread actions; the first that names a thread wins. */
  #vCont(actions: string): string | null {
    const plan = new Map<number, VcpuResume>();
    let fallback: VcpuResume = "stop";
    for (const part of actions.split(";")) {
      if (part.length === 0) continue;
      const [action, thread] = part.split(":");
      let how: VcpuResume;
      if (action === "c" || /^C[0-9a-fA-F]{2}$/.test(action)) how = "continue";
      else if (action === "s" || /^S[0-9a-fA-F]{2}$/.test(action)) how = "step";
      else return E_MALFORMED;
      if (thread === undefined || thread === "-1") {
        if (fallback === "stop") fallback = how;
        continue;
      }
      const v = this.#vcpuOf(thread);
      if (v === null) return E_NOENT;
      if (!plan.has(v)) plan.set(v, how);
    }
    return this.#go((v) => plan.get(v) ?? fallback);
  }

  #vPacket(text: string): string | null {
    if (text === "vCont?") return "vCont;c;C;s;S";
    if (text.startsWith("vCont;")) return this.#vCont(text.slice("vCont;".length));
    if (text === "vMustReplyEmpty") return "";
    if (text.startsWith("vKill")) {
      this.#closeAfter();
      return "OK";
    }
    return "";
  }

  // ---- queries ----

  #query(text: string): string | Uint8Array {
    if (text.startsWith("qSupported")) {
      return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;` +
        "qXfer:threads:read+;QStartNoAckMode+;vContSupported+";
    }
    if (text === "qAttached" || text.startsWith("qAttached:")) return "1";
    if (text === "qC") return `QC${(this.#gThread + 1).toString(16)}`;
    if (text === "qfThreadInfo") {
      const ids = this.#target.threads().map((t) => (t.vcpu + 1).toString(16));
      return ids.length === 0 ? "l" : `m${ids.join(",")}`;
    }
    if (text === "qsThreadInfo") return "l";
    if (text.startsWith("qThreadExtraInfo,")) {
      const v = this.#vcpuOf(text.slice("qThreadExtraInfo,".length));
      const t = this.#target.threads().find((x) => x.vcpu === v);
      return t === undefined ? E_NOENT : textToHex(t.name);
    }
    if (text === "qSymbol::") return "OK";
    if (text.startsWith("qRcmd,")) {
      const cmd = hexToBytes(text.slice("qRcmd,".length));
      if (cmd === null) return E_MALFORMED;
      const out = this.#target.monitor(new TextDecoder().decode(cmd));
      return out.length === 0 ? "OK" : textToHex(out);
    }
    if (text.startsWith("qXfer:")) return this.#xfer(text);
    return "";
  }

  /** `qXfer:object:read:annex:offset,length`. */
  #xfer(text: string): string | Uint8Array {
    const m = /^qXfer:([a-z]+):read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(text);
    if (!m) return text.includes(":read:") ? E_MALFORMED : "";
    let doc: string;
    if (m[1] === "features") {
      if (m[2] !== "target.xml") return E_NOENT;
      doc = this.#target.targetXml;
    } else if (m[1] === "threads") {
      doc = '<?xml version="1.0"?>\n<threads>\n' +
        this.#target.threads().map((t) =>
          `<thread id="${(t.vcpu + 1).toString(16)}" name="${xmlEscape(t.name)}"></thread>\n`
        ).join("") + "</threads>\n";
    } else return "";
    const bytes = new TextEncoder().encode(doc);
    const offset = Number(parseHex(m[3]));
    const length = Math.min(Number(parseHex(m[4])), MAX_MEMORY_READ);
    const chunk = bytes.subarray(Math.min(offset, bytes.length), offset + length);
    const more = offset + chunk.length < bytes.length;
    const esc = escapeBinary(chunk);
    const out = new Uint8Array(esc.length + 1);
    out[0] = more ? 0x6d : 0x6c; // 'm' more follows, 'l' last
    out.set(esc, 1);
    return out;
  }
}

function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}
