/**
 * Test fixtures for VMs built over RM RPC: a hypervisor with the RM and a
 * host-built primary (HLOS) whose TypeScript "VMM" talks to the RM through
 * its real message queues; a memory-parcel directory standing in for rm/mem
 * (parcels over physical RAM outside every VM, made memextents by
 * hypercalls, mapped into a VM by `addrspace_map`); and a builder of the
 * devicetree a VMM hands to VM_CONFIG_IMAGE, with its `gunyah-vm-config`.
 *
 * @module
 */
import {
  createPsciService,
  type Cspace,
  Hypervisor,
  ObjectType,
  SmcccOwner,
} from "@gunyah-ts/core";
import { FakeArch, type FakeStep, TEST_BOARD } from "@gunyah-ts/core/testing";
import {
  encodeMappingAttrs,
  encodeMemextentAttrs,
  errorFromRegister,
  Hypercall,
  HypError,
  MemextentMemtype,
  MemextentType,
  PgtableAccess,
  PSCI_SMC32_BASE,
  PsciFunction,
  S2Memtype,
} from "@gunyah-ts/core/abi";
import type { DtNode } from "@gunyah-ts/core/plugin";
import { RmError, RmMsg, Vmid } from "../abi.ts";
import { RmClient } from "../client.ts";
import { encodeFdt, fromDtNode } from "../dt/fdt.ts";
import { ResourceManager } from "../resource_manager.ts";
import type { RpcMessage } from "../rpc/fragment.ts";
import type { MemParcel, ParcelDirectory } from "../vm/parcels.ts";

import { MiB, RAM, RM_MEM } from "../testing/two_vms.ts";
export { MiB, RAM, RM_MEM };
/** Physical RAM parcels are carved from (after the HLOS's 2 MiB). */
export const PARCEL_RAM = RAM + 4 * MiB;
/** IPA of a secondary's RAM (its `memory { base-address }`). */
export const GUEST_RAM_IPA = 0x8000_0000n;
/** Image offset in the parcel: the program the fake CPU runs starts there. */
export const IMAGE_OFFSET = 0x1000n;
/** Devicetree offset and room in the parcel. */
export const DTB_OFFSET = 0x2_0000n;
export const DTB_SIZE = 0x1000n;
/** The guest's entry IPA. */
export const GUEST_ENTRY: bigint = GUEST_RAM_IPA + IMAGE_OFFSET;

/** PSCI SMC32 function IDs of SYSTEM_OFF / SYSTEM_RESET (core/abi/psci.ts). */
export const PSCI_SYSTEM_OFF = BigInt(PSCI_SMC32_BASE + PsciFunction.SYSTEM_OFF);
export const PSCI_SYSTEM_RESET = BigInt(PSCI_SMC32_BASE + PsciFunction.SYSTEM_RESET);

/** A parcel of the stand-in directory. */
interface TestParcel extends MemParcel {
  readonly phys: number;
  readonly extent: bigint;
}

/**
 * A memory-parcel directory over physical RAM the root partition owns (a
 * stand-in for rm/mem in these tests): each parcel is a memextent made by
 * hypercalls in the RM's cspace; `mapForVm` maps it with `addrspace_map`.
 */
export class TestParcels implements ParcelDirectory {
  readonly #hv: Hypervisor;
  readonly #parcels = new Map<number, TestParcel>();
  /** `handle:vmid` of accepted parcels. */
  readonly #accepted = new Set<string>();
  #next = 0x100;
  /** Parcels released, by VMID. */
  readonly released: number[] = [];

  constructor(hv: Hypervisor) {
    this.#hv = hv;
  }

  #call(n: number, ...a: bigint[]): bigint[] {
    const ctx = this.#hv.nativeContext(this.#hv.rootCspace, this.#hv.rootPartition);
    const r = this.#hv.dispatcher.table.call(ctx, n, ...a);
    const err = errorFromRegister(r[0]);
    if (err !== HypError.OK) {
      throw new Error(`test parcels: hypercall 0x${n.toString(16)} failed: ${err}`);
    }
    return r;
  }

  /** Make a parcel of `size` bytes at physical `phys`, owned by `owner`, for `acl`. */
  create(owner: number, acl: readonly number[], phys: number, size: number): number {
    const hv = this.#hv;
    const me = this.#call(
      Hypercall.PARTITION_CREATE_MEMEXTENT,
      hv.rootPartitionCap,
      hv.rootCspaceCap,
      0n,
    )[1];
    this.#call(
      Hypercall.MEMEXTENT_CONFIGURE,
      me,
      BigInt(phys),
      BigInt(size),
      encodeMemextentAttrs({
        access: PgtableAccess.RWX,
        memtype: MemextentMemtype.ANY,
        type: MemextentType.BASIC,
        append: false,
      }),
      0n,
    );
    this.#call(Hypercall.OBJECT_ACTIVATE, me, 0n);
    const handle = this.#next++;
    this.#parcels.set(handle, {
      handle,
      owner,
      label: 0,
      acl: acl.map((vmid) => ({ vmid, rights: 7 })),
      sgl: [{ ipa: BigInt(phys), size: BigInt(size) }],
      size: BigInt(size),
      phys,
      extent: me,
    });
    return handle;
  }

  lookup(handle: number): MemParcel | null {
    return this.#parcels.get(handle) ?? null;
  }

  bytes(handle: number, offset: bigint, length: number): Uint8Array | null {
    const p = this.#parcels.get(handle);
    if (!p || offset < 0n || offset + BigInt(length) > p.size) return null;
    const at = p.phys + Number(offset);
    const region = this.#hv.physicalMemory.regionFor(at, length);
    return region ? region.bytes.subarray(at - region.base, at - region.base + length) : null;
  }

  /** A copy (each test parcel is one physically contiguous range). */
  read(handle: number, offset: bigint, length: number): Uint8Array | null {
    return this.bytes(handle, offset, length)?.slice() ?? null;
  }

  write(handle: number, offset: bigint, data: Uint8Array): boolean {
    const view = this.bytes(handle, offset, data.length);
    view?.set(data);
    return view !== null;
  }

  mapForVm(handle: number, vmid: number, addrspaceCap: bigint, ipa: bigint): void {
    const p = this.#parcels.get(handle);
    if (!p || !p.acl.some((a) => a.vmid === vmid)) {
      throw Object.assign(new Error("parcel not lent to the VM"), { code: RmError.DENIED });
    }
    this.#call(
      Hypercall.ADDRSPACE_MAP,
      addrspaceCap,
      p.extent,
      ipa,
      encodeMappingAttrs({
        userAccess: PgtableAccess.RWX,
        kernelAccess: PgtableAccess.RWX,
        memtype: S2Memtype.NORMAL_WB,
      }),
      0n,
      0n,
      0n,
    );
    this.#accepted.add(`${handle}:${vmid}`);
  }

  /**
   * As rm/mem: every parcel `vmid` accepted is released (the mapping went
   * with its address space); parcels it owns are destroyed.
   */
  releaseAllFor(vmid: number): void {
    for (const [h, p] of this.#parcels) {
      if (p.owner === vmid) this.reclaim(h);
      else if (this.#accepted.delete(`${h}:${vmid}`)) this.released.push(vmid);
    }
  }

  /** MEM_RECLAIM by the owner: the parcel and its extent go. */
  reclaim(handle: number): void {
    const p = this.#parcels.get(handle);
    if (!p) throw new Error(`test parcels: no parcel ${handle}`);
    this.#call(Hypercall.CSPACE_DELETE_CAP_FROM, this.#hv.rootCspaceCap, p.extent);
    this.#parcels.delete(handle);
  }

  /** Parcels alive. */
  get count(): number {
    return this.#parcels.size;
  }
}

/** A VMM-side RM client of one VM, with the notifications it received. */
export interface Client {
  readonly rpc: RmClient;
  readonly notes: RpcMessage[];
  readonly cspace: Cspace;
  /** Make hypercalls in this VM's cspace. */
  readonly call: (n: number, ...a: bigint[]) => bigint[];
}

/** Programs of the fake CPU, by entry address. */
export type Programs = Record<string, FakeStep[]>;

/** The hypervisor, the RM with the stand-in parcels, and the HLOS's client. */
export async function rpcSetup(programs: Programs = {}, cpus = 1) {
  const arch = new FakeArch({
    [(BigInt(RAM) + 0x1000n).toString()]: [{ op: "wfi" }, { op: "goto", to: 0 }],
    ...programs,
  });
  const hv = new Hypervisor({
    board: TEST_BOARD,
    arch,
    cpus,
    ram: [{ base: RM_MEM, size: 0x1000 }, { base: RAM, size: 64 * MiB }],
  });
  hv.dispatcher.registerSmcccService(SmcccOwner.STANDARD, createPsciService(hv.psci));
  const log: string[] = [];
  const rm = new ResourceManager({
    privateMemory: { base: RM_MEM, bytes: hv.physicalMemory.regionFor(RM_MEM)!.bytes },
    log: (m) => log.push(m),
    physicalCpus: cpus,
  });
  await hv.addComponent(rm);
  const parcels = new TestParcels(hv);
  rm.attachParcels(parcels);
  rm.allocateVm("hlos", Vmid.HLOS);
  rm.initVm(Vmid.HLOS, { physBase: RAM, ipaBase: RAM, size: 2 * MiB, vcpus: 1 });

  const client = (vmid: number, bufPhys: number): Client => {
    const rec = rm.vm(vmid);
    const link = rm.rpc!.link(vmid)!;
    const cspace = hv.rootCspace.lookup<Cspace>(rec.objects!.cspace, ObjectType.CSPACE, 0, false);
    const ctx = hv.nativeContext(cspace, hv.rootPartition);
    const notes: RpcMessage[] = [];
    const call = (n: number, ...a: bigint[]) => hv.dispatcher.table.call(ctx, n, ...a);
    const region = hv.physicalMemory.regionFor(bufPhys, 256)!;
    const rpc = new RmClient({
      port: { call },
      txCap: link.vmTxCap,
      rxCap: link.vmRxCap,
      buffer: { address: BigInt(bufPhys), bytes: region.bytes.subarray(bufPhys - region.base) },
      wait: () => {
        hv.step();
      },
      onNotification: (n) => notes.push(n),
      maxWaits: 200,
    });
    return { rpc, notes, cspace, call };
  };
  /** Hypercalls in VM `vmid`'s cspace, as its (native) VMM or kernel would make them. */
  const callerOf = (vmid: number) => {
    const cspace = hv.rootCspace.lookup<Cspace>(
      rm.vm(vmid).objects!.cspace,
      ObjectType.CSPACE,
      0,
      false,
    );
    const ctx = hv.nativeContext(cspace, hv.rootPartition);
    return (n: number, ...a: bigint[]) => hv.dispatcher.table.call(ctx, n, ...a);
  };
  return { hv, arch, rm, log, parcels, client, callerOf, hlos: client(Vmid.HLOS, RAM + 0x8000) };
}

/** What a test VM's devicetree says. */
export interface VmDtOptions {
  readonly vcpus?: number;
  readonly affinity?: string;
  readonly vdevices?: readonly DtNode[];
  /** GIC reg (GICD base, GICR base); default QEMU virt's. */
  readonly gic?: readonly [number, number];
  /** Leave out the config node. */
  readonly noConfig?: boolean;
  readonly extraConfig?: Record<string, DtNode["props"][string]>;
}

const GIC_PHANDLE = 1;

/** The devicetree a VMM gives VM_CONFIG_IMAGE, with its `gunyah-vm-config`. */
export function vmDtb(o: VmDtOptions = {}): Uint8Array {
  const n = o.vcpus ?? 1;
  const [gicd, gicr] = o.gic ?? [0x0800_0000, 0x080a_0000];
  const root: DtNode = {
    name: "",
    props: { "#address-cells": [2], "#size-cells": [2], compatible: "linux,dummy-virt" },
    children: [
      {
        name: "cpus",
        props: { "#address-cells": [1], "#size-cells": [0] },
        children: Array.from({ length: n }, (_, i) => ({
          name: `cpu@${i}`,
          props: { device_type: "cpu", compatible: "arm,armv8", reg: [i] },
        })),
      },
      {
        name: `intc@${gicd.toString(16)}`,
        props: {
          compatible: "arm,gic-v3",
          reg: [0, gicd, 0, 0x10000, 0, gicr, 0, 0x20000 * n],
          phandle: [GIC_PHANDLE],
          "interrupt-controller": true,
          "#interrupt-cells": [3],
        },
      },
      {
        name: "memory@80000000",
        props: { device_type: "memory", reg: [0, 0x8000_0000, 0, 0x10_0000] },
      },
      ...(o.noConfig ? [] : [{
        name: "gunyah-vm-config",
        props: { "image-name": "test_vm", "os-type": "linux", ...(o.extraConfig ?? {}) },
        children: [
          {
            name: "memory",
            props: { "base-address": [0, Number(GUEST_RAM_IPA)] },
          },
          { name: "interrupts", props: { config: [GIC_PHANDLE] } },
          {
            name: "vcpus",
            props: {
              ...(o.affinity ? { affinity: o.affinity } : {}),
              "sched-priority": [0xffff_ffff],
              "sched-timeslice": [2000],
            },
          },
          {
            name: "vdevices",
            props: { generate: "/hypervisor" },
            children: [...(o.vdevices ?? [])],
          },
        ],
      }]),
    ],
  };
  return encodeFdt({ root: fromDtNode(root), reservations: [], bootCpuid: 0 });
}

/** A vmid request payload. */
export function vmidReq(vmid: number, extra = 0): Uint8Array {
  const p = new Uint8Array(4 + extra);
  new DataView(p.buffer).setUint16(0, vmid, true);
  return p;
}

/** A u32 of a reply. */
export function u32(d: Uint8Array, at = 0): number {
  return new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(at, true);
}

/** VM_CONFIG_IMAGE payload. */
export function configImageReq(
  vmid: number,
  handle: number,
  o: { auth?: number; imageOffset?: bigint; dtbOffset?: bigint; dtbSize?: bigint } = {},
): Uint8Array {
  const p = new Uint8Array(40);
  const v = new DataView(p.buffer);
  v.setUint16(0, vmid, true);
  v.setUint16(2, o.auth ?? 0, true);
  v.setUint32(4, handle, true);
  v.setBigUint64(8, o.imageOffset ?? IMAGE_OFFSET, true);
  v.setBigUint64(16, 0x1000n, true);
  v.setBigUint64(24, o.dtbOffset ?? DTB_OFFSET, true);
  v.setBigUint64(32, o.dtbSize ?? DTB_SIZE, true);
  return p;
}

/** VM_STOP payload. */
export function stopReq(vmid: number, force: boolean, reason = 0): Uint8Array {
  const p = new Uint8Array(8);
  const v = new DataView(p.buffer);
  v.setUint16(0, vmid, true);
  p[2] = force ? 1 : 0;
  v.setUint32(4, reason, true);
  return p;
}

type Setup = Awaited<ReturnType<typeof rpcSetup>>;

/**
 * The v14 sequence up to READY: VM_ALLOCATE, a parcel for the new VM with
 * its devicetree written in, VM_CONFIG_IMAGE, VM_INIT. Returns the VMID and
 * the parcel handle; throws on any RM error.
 */
export async function createVm(
  s: Setup,
  dt: Uint8Array,
  phys: number = PARCEL_RAM,
): Promise<{ vmid: number; handle: number }> {
  const alloc = await s.hlos.rpc.call(RmMsg.VM_ALLOCATE, vmidReq(0));
  if (alloc.error !== RmError.OK) throw new Error(`VM_ALLOCATE: ${alloc.error}`);
  const vmid = u32(alloc.data);
  const handle = s.parcels.create(Vmid.HLOS, [vmid], phys, 1 * MiB);
  s.parcels.bytes(handle, DTB_OFFSET, Number(DTB_SIZE))!.fill(0).set(dt);
  for (
    const [msg, p] of [
      [RmMsg.VM_CONFIG_IMAGE, configImageReq(vmid, handle)],
      [RmMsg.VM_INIT, vmidReq(vmid)],
    ] as const
  ) {
    const r = await s.hlos.rpc.call(msg, p);
    if (r.error !== RmError.OK) throw new Error(`0x${msg.toString(16)}: RM error ${r.error}`);
  }
  return { vmid, handle };
}
