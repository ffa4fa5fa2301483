/**
 * Live figures over a recent window, and deltas between snapshots.
 *
 * - {@link LoadWindow}: CPU busy % and instructions per second per physical
 *   CPU and per VM, over the last {@link LOAD_WINDOW_MS} of wall-clock time
 *   (not a lifetime ratio: a vCPU that starts spinning shows ~100 % within
 *   one window). Busy time is retired instructions × ns per instruction, in
 *   virtual time, against the CPU's idle virtual time.
 * - {@link diffState} / {@link applyDelta}: what changed between two JSON
 *   values. Objects are compared key by key; arrays whose items all carry an
 *   identity (`object`, `vmid`, `handle`, `seq` or `index`) send only the items that
 *   changed, the identities removed and the new order; anything else is
 *   replaced whole. The page applies the same rules (its script mirrors
 *   {@link applyDelta}).
 *
 * @module
 */
import type { SystemStatus } from "@gunyah-ts/system";

/** Wall-clock window the load figures are computed over, ms. */
export const LOAD_WINDOW_MS = 3000;

/** A physical CPU's load over the window. */
export interface CpuLoad {
  /** CPU index. */
  readonly index: number;
  /** Busy share of its virtual time over the window, 0-100. */
  readonly busyPct: number;
  /** Instructions retired per wall-clock second over the window. */
  readonly ips: number;
}

/** A VM's load over the window, and its exits so far. */
export interface VmLoad {
  /** VMID. */
  readonly vmid: number;
  /** Instructions its vCPUs retired per wall-clock second over the window. */
  readonly ips: number;
  /** Instructions its vCPUs retired in all. */
  readonly retired: number;
  /** Its vCPUs' exits to the hypervisor by kind (hvc, wfi, mmio, ...), since recording began. */
  readonly exits: Readonly<Record<string, number>>;
}

/** Load figures at one moment. */
export interface LoadSnapshot {
  /** The window the rates cover, ms (shorter just after start). */
  readonly windowMs: number;
  /** Per physical CPU. */
  readonly cpus: readonly CpuLoad[];
  /** Per VM. */
  readonly vms: readonly VmLoad[];
}

interface Sample {
  readonly at: number;
  readonly cpus: readonly {
    readonly busyNs: number;
    readonly idleNs: number;
    readonly retired: number;
  }[];
  readonly vms: ReadonlyMap<number, number>;
}

/** Instructions retired per VM, from the vCPUs' `arch.retiredTotal`. */
function retiredByVm(status: SystemStatus): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of status.vcpus) {
    if (t.vmid === null) continue;
    const r = t.arch.retiredTotal;
    out.set(t.vmid, (out.get(t.vmid) ?? 0) + (typeof r === "number" ? r : 0));
  }
  return out;
}

/** Samples of the system's counters over the recent window. */
export class LoadWindow {
  readonly #samples: Sample[] = [];
  readonly #windowMs: number;

  /** A window of `windowMs` (default {@link LOAD_WINDOW_MS}). */
  constructor(windowMs: number = LOAD_WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  /**
   * Record `status` taken at `at` (ms) and return the load over the window
   * ending now; `exitsByThread` gives each vCPU thread's exits by kind.
   */
  sample(
    status: SystemStatus,
    at: number,
    exitsByThread: Readonly<Record<string, Readonly<Record<string, number>>>> = {},
  ): LoadSnapshot {
    const s: Sample = {
      at,
      cpus: status.cpus.map((c) => ({
        busyNs: c.retired * status.nsPerInstruction,
        idleNs: c.idleNs,
        retired: c.retired,
      })),
      vms: retiredByVm(status),
    };
    const list = this.#samples;
    list.push(s);
    // Keep one sample at or before the window's start to measure from.
    while (list.length > 2 && list[1].at <= at - this.#windowMs) list.shift();
    const base = list[0];
    const dt = (at - base.at) / 1000;
    const cpus = s.cpus.map((c, index) => {
      const b = base.cpus[index] ?? { busyNs: 0, idleNs: 0, retired: 0 };
      const busy = c.busyNs - b.busyNs, idle = c.idleNs - b.idleNs;
      return {
        index,
        busyPct: busy + idle > 0 ? Math.round(1000 * busy / (busy + idle)) / 10 : 0,
        ips: dt > 0 ? Math.round((c.retired - b.retired) / dt) : 0,
      };
    });
    const vms = status.vms.map((v) => {
      const now = s.vms.get(v.vmid) ?? 0;
      const then = base.vms.get(v.vmid) ?? 0;
      const exits: Record<string, number> = {};
      for (const t of v.vcpus) {
        for (const [k, n] of Object.entries(exitsByThread[t] ?? {})) exits[k] = (exits[k] ?? 0) + n;
      }
      return {
        vmid: v.vmid,
        ips: dt > 0 ? Math.max(0, Math.round((now - then) / dt)) : 0,
        retired: now,
        exits,
      };
    });
    return { windowMs: Math.round(at - base.at), cpus, vms };
  }
}

/** A change between two JSON values (see the module doc). */
export type Delta =
  | { readonly $v: unknown }
  | { readonly $o: Readonly<Record<string, Delta>>; readonly $del?: readonly string[] }
  | {
    readonly $a: string;
    readonly set: readonly unknown[];
    readonly del: readonly (string | number)[];
    readonly order: readonly (string | number)[];
  };

const ID_KEYS = ["object", "vmid", "handle", "seq", "index"] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function idKeyOf(items: readonly unknown[]): string | null {
  if (items.length === 0) return null;
  for (const k of ID_KEYS) {
    const ids = new Set<unknown>();
    let ok = true;
    for (const it of items) {
      const id = isObject(it) ? it[k] : undefined;
      if ((typeof id !== "string" && typeof id !== "number") || ids.has(id)) {
        ok = false;
        break;
      }
      ids.add(id);
    }
    if (ok) return k;
  }
  return null;
}

/** What changed from `a` to `b`, or undefined when nothing did. */
export function diffState(a: unknown, b: unknown): Delta | undefined {
  if (isObject(a) && isObject(b)) {
    const out: Record<string, Delta> = {};
    let any = false;
    for (const k of Object.keys(b)) {
      const d = diffState(a[k], b[k]);
      if (d !== undefined) {
        out[k] = d;
        any = true;
      }
    }
    const del = Object.keys(a).filter((k) => !(k in b));
    if (!any && del.length === 0) return undefined;
    return del.length ? { $o: out, $del: del } : { $o: out };
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const key = idKeyOf(b);
    if (key !== null && (a.length === 0 || idKeyOf(a) === key)) {
      const before = new Map<unknown, string>();
      for (const it of a) before.set((it as Record<string, unknown>)[key], JSON.stringify(it));
      const set: unknown[] = [];
      const order: (string | number)[] = [];
      for (const it of b) {
        const id = (it as Record<string, unknown>)[key] as string | number;
        order.push(id);
        if (before.get(id) !== JSON.stringify(it)) set.push(it);
      }
      const kept = new Set<unknown>(order);
      const del = [...before.keys()].filter((id) => !kept.has(id)) as (string | number)[];
      const sameOrder = a.length === b.length &&
        a.every((it, i) => (it as Record<string, unknown>)[key] === order[i]);
      if (set.length === 0 && del.length === 0 && sameOrder) return undefined;
      return { $a: key, set, del, order };
    }
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  return { $v: b };
}

/** `a` with `delta` applied (a new value; `a` is not changed). */
export function applyDelta(a: unknown, delta: Delta): unknown {
  if ("$v" in delta) return delta.$v;
  if ("$o" in delta) {
    const out: Record<string, unknown> = isObject(a) ? { ...a } : {};
    for (const k of delta.$del ?? []) delete out[k];
    for (const [k, d] of Object.entries(delta.$o)) out[k] = applyDelta(out[k], d);
    return out;
  }
  const key = delta.$a;
  const byId = new Map<unknown, unknown>();
  for (const it of Array.isArray(a) ? a : []) byId.set((it as Record<string, unknown>)[key], it);
  for (const it of delta.set) byId.set((it as Record<string, unknown>)[key], it);
  return delta.order.map((id) => byId.get(id));
}
