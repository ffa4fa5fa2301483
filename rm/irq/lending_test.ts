/**
 * IRQ lending through the real RM RPC: the HLOS owns a hardware line (a
 * hwirq object, made as HYP makes them at boot, cap in the RM's cspace),
 * lends it to the peer VM, which accepts it at a VIRQ of its own; the line
 * then drives the peer's interrupt controller and not the HLOS's.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { Hwirq } from "@gunyah-ts/core";
import { RmError, RmMsg, RmNotify, Vmid } from "../abi.ts";
import { PEER, setup, type TestVm } from "../testing/two_vms.ts";
import { IrqNotifyFlag, VIRQ_NUM_INVALID } from "./lending.ts";

const HW_IRQ = 79; // SPI 47 of the host platform
const PEER_VIRQ = 100;

function words(...w: number[]): Uint8Array {
  const out = new Uint8Array(4 * w.length);
  w.forEach((x, i) => new DataView(out.buffer).setUint32(4 * i, x >>> 0, true));
  return out;
}

function lendReq(borrower: number, virq: number, label: number): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint16(0, borrower, true);
  v.setUint32(4, virq, true);
  v.setUint32(8, label, true);
  return out;
}

/** Record the lines a VM's interrupt controller is driven with. */
function spyLines(vm: TestVm): Map<number, boolean> {
  const ctl = vm.vic.controller!;
  const lines = new Map<number, boolean>();
  const setLine = ctl.setLine.bind(ctl);
  ctl.setLine = (virq, level, index) => {
    lines.set(virq, level);
    setLine(virq, level, index);
  };
  return lines;
}

async function rig() {
  const s = await setup();
  const hw = new Hwirq(s.hv.rootPartition, HW_IRQ);
  const cap = s.hv.rootCspace.createMasterCap(hw);
  s.rm.irqs.addHwirq(HW_IRQ, cap, Vmid.HLOS);
  return { ...s, hw };
}

Deno.test("VM_IRQ_LEND/ACCEPT/RELEASE/RECLAIM: the line follows the lending, notifications reach the right VMs", async () => {
  const { hlos, peer, hw } = await rig();
  const hlosLines = spyLines(hlos);
  const peerLines = spyLines(peer);
  hw.setLevel(true);
  assertEquals(hlosLines.get(HW_IRQ), true, "the owner gets the line at boot");
  hw.setLevel(false);

  const lend = await hlos.call(RmMsg.VM_IRQ_LEND, lendReq(PEER, HW_IRQ, 0xabc));
  assertEquals(lend.error, RmError.OK);
  const handle = new DataView(lend.data.buffer).getUint32(0, true);
  assertEquals(
    (await hlos.call(RmMsg.VM_IRQ_LEND, lendReq(PEER, HW_IRQ, 1))).error,
    RmError.IRQ_INUSE,
  );
  hlosLines.clear();
  hw.setLevel(true);
  hw.setLevel(false);
  assert(!hlosLines.has(HW_IRQ), "lent: the owner no longer sees the line");

  // NOTIFY(LENT) → NOTIFY_VM_IRQ_LENT to the borrower.
  assertEquals(
    (await hlos.call(RmMsg.VM_IRQ_NOTIFY, words(handle, IrqNotifyFlag.LENT, 1, PEER))).error,
    RmError.OK,
  );
  assertEquals(
    (await hlos.call(RmMsg.VM_IRQ_NOTIFY, words(handle, IrqNotifyFlag.LENT, 1, 0x81))).error,
    RmError.ARGUMENT_INVALID,
  );
  await peer.call(RmMsg.VM_GET_VMID);
  const lent = peer.notes.find((n) => n.msgId === RmNotify.VM_IRQ_LENT)!;
  const lv = new DataView(lent.payload.buffer, lent.payload.byteOffset);
  assertEquals(
    [lv.getUint16(0, true), lv.getUint32(4, true), lv.getUint32(8, true)],
    [Vmid.HLOS, handle, 0xabc],
  );

  // Wrong VMs and states.
  assertEquals(
    (await hlos.call(RmMsg.VM_IRQ_ACCEPT, words(handle, PEER_VIRQ))).error,
    RmError.HANDLE_INVALID,
  );
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_RELEASE, words(handle))).error,
    RmError.IN_USE,
  );
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_NOTIFY, words(handle, IrqNotifyFlag.ACCEPTED))).error,
    RmError.IRQ_RELEASED,
  );
  const acc = await peer.call(RmMsg.VM_IRQ_ACCEPT, words(handle, PEER_VIRQ));
  assertEquals(acc.error, RmError.OK);
  assertEquals(new DataView(acc.data.buffer).getUint32(0, true), PEER_VIRQ);
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_ACCEPT, words(handle, PEER_VIRQ))).error,
    RmError.IN_USE,
  );
  assertEquals((await hlos.call(RmMsg.VM_IRQ_RECLAIM, words(handle))).error, RmError.IN_USE);
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_RECLAIM, words(handle))).error,
    RmError.HANDLE_INVALID,
  );
  hw.setLevel(true);
  assertEquals(peerLines.get(PEER_VIRQ), true, "accepted: the line drives the borrower's VIRQ");
  assert(!hlosLines.has(HW_IRQ));
  hw.setLevel(false);
  assertEquals(peerLines.get(PEER_VIRQ), false);
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_NOTIFY, words(handle, IrqNotifyFlag.ACCEPTED))).error,
    RmError.OK,
  );
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_NOTIFY, words(handle, IrqNotifyFlag.RELEASED))).error,
    RmError.IRQ_INUSE,
  );

  // Release, notify, reclaim: back at the owner.
  assertEquals((await peer.call(RmMsg.VM_IRQ_RELEASE, words(handle))).error, RmError.OK);
  peerLines.clear();
  hw.setLevel(true);
  hw.setLevel(false);
  assert(!peerLines.has(PEER_VIRQ), "released: the borrower no longer sees the line");
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_NOTIFY, words(handle, IrqNotifyFlag.RELEASED))).error,
    RmError.OK,
  );
  assertEquals((await hlos.call(RmMsg.VM_IRQ_RECLAIM, words(handle))).error, RmError.OK);
  hw.setLevel(true);
  assertEquals(hlosLines.get(HW_IRQ), true, "reclaimed: the owner has the line again");
  assertEquals(
    (await hlos.call(RmMsg.VM_IRQ_RECLAIM, words(handle))).error,
    RmError.HANDLE_INVALID,
  );
  await hlos.call(RmMsg.VM_GET_VMID);
  const owner = hlos.notes.map((n) => [n.msgId, new DataView(n.payload.buffer).getUint32(0, true)]);
  assertEquals(owner, [[RmNotify.VM_IRQ_ACCEPTED, handle], [RmNotify.VM_IRQ_RELEASED, handle]]);
});

Deno.test("VM_IRQ_* bad input: sizes, unknown IRQs and handles, VIRQs in use; the RM keeps serving", async () => {
  const { rm, hlos, peer } = await rig();
  // Exact sizes.
  assertEquals((await hlos.call(RmMsg.VM_IRQ_LEND, new Uint8Array(8))).error, RmError.MSG_INVALID);
  assertEquals(
    (await hlos.call(RmMsg.VM_IRQ_LEND, new Uint8Array(16))).error,
    RmError.MSG_INVALID,
  );
  assertEquals((await peer.call(RmMsg.VM_IRQ_ACCEPT, words(0))).error, RmError.MSG_INVALID);
  assertEquals((await peer.call(RmMsg.VM_IRQ_RELEASE, words(0, 0))).error, RmError.MSG_INVALID);
  assertEquals(
    (await hlos.call(RmMsg.VM_IRQ_RECLAIM, new Uint8Array())).error,
    RmError.MSG_INVALID,
  );
  assertEquals((await hlos.call(RmMsg.VM_IRQ_NOTIFY, words(0))).error, RmError.MSG_INVALID);
  assertEquals(
    (await hlos.call(RmMsg.VM_IRQ_NOTIFY, words(0, IrqNotifyFlag.RELEASED, 0))).error,
    RmError.MSG_INVALID,
  );
  // IRQs the caller does not own.
  assertEquals(
    (await hlos.call(RmMsg.VM_IRQ_LEND, lendReq(PEER, 33, 0))).error,
    RmError.IRQ_INVALID,
  );
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_LEND, lendReq(Vmid.HLOS, HW_IRQ, 0))).error,
    RmError.IRQ_INVALID,
  );
  // Unknown handles.
  for (const id of [RmMsg.VM_IRQ_RELEASE, RmMsg.VM_IRQ_RECLAIM]) {
    assertEquals((await peer.call(id, words(0x999))).error, RmError.HANDLE_INVALID);
  }
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_ACCEPT, words(0x999, 40))).error,
    RmError.HANDLE_INVALID,
  );
  assertEquals(
    (await hlos.call(RmMsg.VM_IRQ_NOTIFY, words(0x999, IrqNotifyFlag.LENT))).error,
    RmError.HANDLE_INVALID,
  );
  const handle = new DataView(
    (await hlos.call(RmMsg.VM_IRQ_LEND, lendReq(PEER, HW_IRQ, 0))).data.buffer,
  ).getUint32(0, true);
  assertEquals(
    (await hlos.call(RmMsg.VM_IRQ_NOTIFY, words(handle, 8))).error,
    RmError.ARGUMENT_INVALID,
  );
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_NOTIFY, words(handle, IrqNotifyFlag.LENT))).error,
    RmError.HANDLE_INVALID,
  );
  // A VIRQ the borrower already uses (its RM RPC TX VIRQ) or one out of range.
  const link = rm.rpc!.link(PEER)!;
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_ACCEPT, words(handle, link.vmTxVirq))).error,
    RmError.DENIED,
  );
  assertEquals(
    (await peer.call(RmMsg.VM_IRQ_ACCEPT, words(handle, 5000))).error,
    RmError.ARGUMENT_INVALID,
  );
  // 0xFFFFFFFF: the RM picks the hardware INTID.
  const any = await peer.call(RmMsg.VM_IRQ_ACCEPT, words(handle, VIRQ_NUM_INVALID));
  assertEquals(any.error, RmError.OK);
  assertEquals(new DataView(any.data.buffer).getUint32(0, true), HW_IRQ);
  assertEquals(rm.irqs.hwirq(HW_IRQ)!.lending!.borrowerVirq, HW_IRQ);
  // The peer goes away: the IRQ is released, the owner reclaims it.
  rm.irqs.releaseAllFor(PEER);
  assertEquals((await hlos.call(RmMsg.VM_IRQ_RECLAIM, words(handle))).error, RmError.OK);
  assert((await hlos.call(RmMsg.VM_GET_VMID)).error === RmError.OK);
});
