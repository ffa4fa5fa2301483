/**
 * A test rig for RM RPC tests that involve two VMs: the RM (with private
 * memory) serving the HLOS VM (VMID 3) and a peer VM (0x80, owned by the
 * HLOS), each with 2 MiB of RAM at IPA 0x4000_0000, on a FakeArch
 * hypervisor. Each VM gets an RM client over its real message queues, a view
 * of its stage-2 (reads through its addrspace: null = no RAM, a stage-2
 * fault), and the notifications it received.
 *
 * @module
 */
import { type Addrspace, type Cspace, Hypervisor, ObjectType, type Vic } from "@gunyah-ts/core";
import { FakeArch, TEST_BOARD } from "@gunyah-ts/core/testing";
import { assertEquals } from "@gunyah-ts/tests/assert";
import { Vmid } from "../abi.ts";
import { RmClient } from "../client.ts";
import { ResourceManager } from "../resource_manager.ts";
import type { RpcMessage } from "../rpc/fragment.ts";

export const RAM = 0x4000_0000;
export const RM_MEM = 0x3fff_f000;
export const MiB = 0x10_0000;
export const PAGE = 0x1000;
/** Both VMs see their RAM at this IPA. */
export const VM_IPA = RAM;
export const PEER = Vmid.DYNAMIC_FIRST;
const IDLE_ENTRY = 0x4000_1000n;

export interface TestVm {
  readonly vmid: number;
  readonly rpc: RmClient;
  readonly notes: RpcMessage[];
  readonly as: Addrspace;
  readonly vic: Vic;
  /** Read a byte at `ipa` through the VM's stage-2; null = no RAM there (a stage-2 fault). */
  read(ipa: number): number | null;
  write(ipa: number, value: number): boolean;
  call(msgId: number, payload?: Uint8Array): Promise<{ error: number; data: Uint8Array }>;
}

/** Build the rig. */
export async function setup() {
  const arch = new FakeArch({ [IDLE_ENTRY.toString()]: [{ op: "wfi" }, { op: "goto", to: 0 }] });
  const hv = new Hypervisor({
    board: TEST_BOARD,
    arch,
    cpus: 1,
    ram: [{ base: RM_MEM, size: 0x1000 }, { base: RAM, size: 8 * MiB }],
  });
  const log: string[] = [];
  const rm = new ResourceManager({
    privateMemory: { base: RM_MEM, bytes: hv.physicalMemory.regionFor(RM_MEM)!.bytes },
    log: (m) => log.push(m),
  });
  await hv.addComponent(rm);
  rm.allocateVm("hlos", Vmid.HLOS);
  rm.initVm(Vmid.HLOS, { physBase: RAM, ipaBase: VM_IPA, size: 2 * MiB, vcpus: 1 });
  assertEquals(rm.allocateVm("peer", 0, Vmid.HLOS).vmid, PEER);
  rm.initVm(PEER, { physBase: RAM + 2 * MiB, ipaBase: VM_IPA, size: 2 * MiB, vcpus: 1 });

  const vm = (vmid: number, physBase: number): TestVm => {
    const rec = rm.vm(vmid);
    const link = rm.rpc!.link(vmid)!;
    const cspace = hv.rootCspace.lookup<Cspace>(rec.caps!.cspace, ObjectType.CSPACE, 0, false);
    const as = hv.rootCspace.lookup<Addrspace>(
      rec.caps!.addrspace,
      ObjectType.ADDRSPACE,
      0,
      false,
    );
    const vic = hv.rootCspace.lookup<Vic>(rec.caps!.vic, ObjectType.VIC, 0, false);
    const ctx = hv.nativeContext(cspace, hv.rootPartition);
    const notes: RpcMessage[] = [];
    // The client's message buffer: the last page of the VM's RAM (never lent here).
    const bufPhys = physBase + 2 * MiB - PAGE;
    const rpc = new RmClient({
      port: { call: (n, ...a) => hv.dispatcher.table.call(ctx, n, ...a) },
      txCap: link.vmTxCap,
      rxCap: link.vmRxCap,
      buffer: {
        address: BigInt(bufPhys),
        bytes: hv.physicalMemory.regionFor(bufPhys, 256)!.bytes.subarray(bufPhys - RAM),
      },
      wait: () => {
        hv.step();
      },
      onNotification: (n) => notes.push(n),
      maxWaits: 100,
    });
    const read = (ipa: number) => {
      const m = as.lookup(ipa);
      return m ? m.bytes[m.offset + ipa - m.ipaBase] : null;
    };
    const write = (ipa: number, value: number) => {
      const m = as.lookup(ipa);
      if (!m || !(m.access & 2)) return false;
      m.bytes[m.offset + ipa - m.ipaBase] = value;
      return true;
    };
    return { vmid, rpc, notes, as, vic, read, write, call: (id, p) => rpc.call(id, p) };
  };
  const hlos = vm(Vmid.HLOS, RAM);
  const peer = vm(PEER, RAM + 2 * MiB);
  /** Fill `size` bytes of `v` at `ipa` with a pattern seeded by `seed`. */
  const fill = (v: TestVm, ipa: number, size: number, seed: number) => {
    for (let i = 0; i < size; i += 97) v.write(ipa + i, (seed + i) & 0xff);
  };
  const matches = (v: TestVm, ipa: number, size: number, seed: number) => {
    for (let i = 0; i < size; i += 97) if (v.read(ipa + i) !== ((seed + i) & 0xff)) return false;
    return true;
  };
  return { hv, rm, log, hlos, peer, fill, matches };
}
