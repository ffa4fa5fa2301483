/**
 * Memory parcels through the real RM RPC: two VMs' clients send MEM_*
 * requests over their message queues (hypercalls in their own cspaces), the
 * RM serves them with memextent/addrspace hypercalls, and the tests look at
 * the VMs' stage-2 translations and the physical bytes.
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { RmError, RmMsg, RmNotify, Vmid } from "../abi.ts";
import { MiB, PAGE, PEER, setup, VM_IPA } from "../testing/two_vms.ts";
import { RPC_MAX_CONTENT } from "../rpc/header.ts";
import { ParcelState } from "./parcels.ts";
import {
  type AclEntry,
  decodeAcceptReply,
  encodeAccept,
  encodeAppend,
  encodeCreate,
  encodeHandleFlags,
  encodeLookup,
  encodeNotify,
  MEM_APPEND_FLAG_DONE,
  MEM_HANDLE_INVALID,
  MemAcceptFlag,
  MemAttr,
  MemCreateFlag,
  MemNotifyFlag,
  MemRights,
  MemType,
  type SglEntry,
  TransType,
} from "./wire.ts";

function u32(d: Uint8Array, at = 0): number {
  return new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(at, true);
}

function create(
  acl: AclEntry[],
  sgl: SglEntry[],
  opts: {
    flags?: number;
    label?: number;
    memType?: number;
    attrs?: { attr: number; vmid: number }[];
  } = {},
): Uint8Array {
  return encodeCreate({
    memType: opts.memType ?? MemType.NORMAL,
    flags: opts.flags ?? 0,
    label: opts.label ?? 0x1234,
    acl,
    sgl,
    attrs: opts.attrs ?? [],
  });
}

function accept(
  handle: number,
  transType: number,
  sgl: SglEntry[],
  opts: { flags?: number; label?: number; memType?: number; acl?: AclEntry[]; mapVmid?: number } =
    {},
): Uint8Array {
  return encodeAccept({
    handle,
    memType: opts.memType ?? MemType.NORMAL,
    transType,
    flags: opts.flags ?? MemAcceptFlag.DONE,
    label: opts.label ?? 0,
    acl: opts.acl ?? [],
    sgl,
    mapVmid: opts.mapVmid ?? 0,
    attrs: [],
  });
}

const LENT_IPA = VM_IPA + 0x10_0000;
const BORROW_IPA = 0x8000_0000;

Deno.test("MEM_LEND: the lender loses the pages, the borrower reads them after ACCEPT, RECLAIM(SANITIZE) returns zeros", async () => {
  const { rm, hlos, peer, fill, matches } = await setup();
  fill(hlos, LENT_IPA, 2 * PAGE, 7);
  assert(matches(hlos, LENT_IPA, 2 * PAGE, 7));

  const lend = await hlos.call(
    RmMsg.MEM_LEND,
    create([{ vmid: PEER, rights: MemRights.RW }], [{ ipa: LENT_IPA, size: 2 * PAGE }]),
  );
  assertEquals(lend.error, RmError.OK);
  const handle = u32(lend.data);
  assertEquals(handle, 0); // handles start at 0 like the RM's
  // The lender's stage-2 no longer translates the pages; its neighbours are untouched.
  assertEquals(hlos.read(LENT_IPA), null);
  assertEquals(hlos.read(LENT_IPA + 2 * PAGE - 1), null);
  assert(hlos.read(LENT_IPA - 1) !== null);
  assert(hlos.read(LENT_IPA + 2 * PAGE) !== null);
  assertEquals(rm.parcels.get(handle)!.state, ParcelState.SHARING);

  // MEM_NOTIFY(SHARED) tells the borrower.
  assertEquals(
    (await hlos.call(RmMsg.MEM_NOTIFY, encodeNotify(handle, MemNotifyFlag.SHARED, 0x55, [PEER])))
      .error,
    RmError.OK,
  );
  await peer.call(RmMsg.VM_GET_VMID); // let the notification arrive
  const shared = peer.notes.find((n) => n.msgId === RmNotify.MEM_SHARED)!;
  const sv = new DataView(shared.payload.buffer, shared.payload.byteOffset);
  assertEquals(sv.getUint32(0, true), handle);
  assertEquals(shared.payload[5], TransType.LEND);
  assertEquals(sv.getUint16(8, true), Vmid.HLOS);
  assertEquals(sv.getUint32(12, true), 0x1234);
  assertEquals(sv.getUint32(16, true), 0x55);
  assertEquals(sv.getUint16(20, true), 1); // ACL entries
  assertEquals(sv.getUint16(24, true), PEER);
  assertEquals(sv.getUint16(28, true), 1); // regions
  assertEquals(Number(sv.getBigUint64(32, true)), 2 * PAGE);

  // The owner cannot accept; a wrong trans type or label check fails; then the borrower accepts.
  assertEquals(
    (await hlos.call(RmMsg.MEM_ACCEPT, accept(handle, TransType.LEND, []))).error,
    RmError.VMID_INVALID,
  );
  assertEquals(
    (await peer.call(RmMsg.MEM_ACCEPT, accept(handle, TransType.SHARE, []))).error,
    RmError.ARGUMENT_INVALID,
  );
  assertEquals(
    (await peer.call(
      RmMsg.MEM_ACCEPT,
      accept(handle, TransType.LEND, [], {
        flags: MemAcceptFlag.DONE | MemAcceptFlag.VALIDATE_LABEL,
        label: 9,
      }),
    )).error,
    RmError.VALIDATE_FAILED,
  );
  assertEquals(
    (await peer.call(
      RmMsg.MEM_ACCEPT,
      accept(handle, TransType.LEND, [{ ipa: BORROW_IPA, size: PAGE }]),
    )).error,
    RmError.ARGUMENT_INVALID, // size differs from the region's
  );
  assertEquals(
    (await peer.call(
      RmMsg.MEM_ACCEPT,
      accept(handle, TransType.LEND, [{ ipa: VM_IPA, size: 2 * PAGE }]),
    )).error,
    RmError.NORESOURCE, // over the borrower's own RAM
  );
  assertEquals(peer.read(BORROW_IPA), null);
  const acc = await peer.call(
    RmMsg.MEM_ACCEPT,
    accept(handle, TransType.LEND, [{ ipa: BORROW_IPA, size: 2 * PAGE }], {
      flags: MemAcceptFlag.DONE | MemAcceptFlag.VALIDATE_LABEL |
        MemAcceptFlag.VALIDATE_ACL_ATTR,
      label: 0x1234,
      acl: [{ vmid: PEER, rights: MemRights.RW }],
    }),
  );
  assertEquals(acc.error, RmError.OK);
  assert(matches(peer, BORROW_IPA, 2 * PAGE, 7), "the borrower reads the lender's pattern");
  assert(peer.write(BORROW_IPA + 5, 0xee));
  assertEquals(peer.as.lookup(BORROW_IPA)!.access & 1, 0); // RW: not executable
  assertEquals(rm.parcels.ipaOf(handle, PEER, PAGE + 3), BORROW_IPA + PAGE + 3);
  assertEquals(rm.parcels.get(handle)!.state, ParcelState.SHARED);

  // Double accept, reclaim while accepted.
  assertEquals(
    (await peer.call(RmMsg.MEM_ACCEPT, accept(handle, TransType.LEND, []))).error,
    RmError.DENIED,
  );
  assertEquals(
    (await hlos.call(RmMsg.MEM_RECLAIM, encodeHandleFlags(handle, 0))).error,
    RmError.MEM_INUSE,
  );
  assertEquals(
    (await peer.call(RmMsg.MEM_RECLAIM, encodeHandleFlags(handle, 0))).error,
    RmError.DENIED,
  );
  // NOTIFY(ACCEPTED) from the borrower → MEM_ACCEPTED to the owner.
  assertEquals(
    (await peer.call(RmMsg.MEM_NOTIFY, encodeNotify(handle, MemNotifyFlag.ACCEPTED, 0x55))).error,
    RmError.OK,
  );
  assertEquals(
    (await peer.call(RmMsg.MEM_NOTIFY, encodeNotify(handle, MemNotifyFlag.RELEASED, 0x55))).error,
    RmError.MEM_INUSE,
  );
  assertEquals(
    (await peer.call(RmMsg.MEM_NOTIFY, encodeNotify(handle, MemNotifyFlag.ACCEPTED, 0x56))).error,
    RmError.ARGUMENT_INVALID, // tag differs
  );

  // RELEASE: the borrower faults again; a second release is MEM_RELEASED; the owner (not in
  // the ACL of a LEND) cannot release.
  assertEquals(
    (await hlos.call(RmMsg.MEM_RELEASE, encodeHandleFlags(handle, 0))).error,
    RmError.HANDLE_INVALID,
  );
  assertEquals(
    (await peer.call(RmMsg.MEM_RELEASE, encodeHandleFlags(handle, 0))).error,
    RmError.OK,
  );
  assertEquals(peer.read(BORROW_IPA), null);
  assertEquals(
    (await peer.call(RmMsg.MEM_RELEASE, encodeHandleFlags(handle, 0))).error,
    RmError.MEM_RELEASED,
  );
  assertEquals(
    (await peer.call(RmMsg.MEM_NOTIFY, encodeNotify(handle, MemNotifyFlag.RELEASED, 0x55))).error,
    RmError.OK,
  );
  assertEquals(hlos.read(LENT_IPA), null, "still lent until reclaimed");

  // RECLAIM with SANITIZE: the lender regains zeroed pages.
  assertEquals(
    (await hlos.call(RmMsg.MEM_RECLAIM, encodeHandleFlags(handle, 1))).error,
    RmError.OK,
  );
  assertEquals(hlos.read(LENT_IPA), 0);
  assertEquals(hlos.read(LENT_IPA + 5), 0);
  assertEquals(hlos.read(LENT_IPA + 2 * PAGE - 1), 0);
  assert(hlos.write(LENT_IPA, 1));
  assertEquals(rm.parcels.get(handle), null);
  assertEquals(
    (await hlos.call(RmMsg.MEM_RECLAIM, encodeHandleFlags(handle, 0))).error,
    RmError.HANDLE_INVALID,
  );
  const owner = hlos.notes.filter((n) => n.msgId !== RmNotify.VM_STATUS).map((n) => [
    n.msgId,
    u32(n.payload),
    new DataView(n.payload.buffer, n.payload.byteOffset).getUint16(4, true),
  ]);
  assertEquals(owner, [
    [RmNotify.MEM_ACCEPTED, handle, PEER],
    [RmNotify.MEM_RELEASED, handle, PEER],
  ]);
});

Deno.test("MEM_SHARE: both map the pages, writes are seen both ways, the RM picks the IPA, RECLAIM without SANITIZE keeps data", async () => {
  const { rm, hlos, peer, fill, matches } = await setup();
  fill(hlos, LENT_IPA, PAGE, 3);
  // Owner must be in a SHARE's ACL.
  assertEquals(
    (await hlos.call(
      RmMsg.MEM_SHARE,
      create([{ vmid: PEER, rights: MemRights.RW }], [{ ipa: LENT_IPA, size: PAGE }]),
    )).error,
    RmError.ARGUMENT_INVALID,
  );
  const share = await hlos.call(
    RmMsg.MEM_SHARE,
    create(
      [{ vmid: Vmid.HLOS, rights: MemRights.RW }, { vmid: PEER, rights: MemRights.R }],
      [{ ipa: LENT_IPA, size: PAGE }],
    ),
  );
  assertEquals(share.error, RmError.OK);
  const h = u32(share.data);
  assert(matches(hlos, LENT_IPA, PAGE, 3), "the owner keeps a SHARE");
  assertEquals(hlos.as.lookup(LENT_IPA)!.access & 1, 0, "with its ACL rights (RW)");
  const acc = await peer.call(RmMsg.MEM_ACCEPT, accept(h, TransType.SHARE, []));
  assertEquals(acc.error, RmError.OK);
  const { sgl, flags } = decodeAcceptReply(acc.data);
  assertEquals(flags, 0);
  assertEquals(sgl.length, 1);
  assertEquals(sgl[0].size, PAGE);
  assert(sgl[0].ipa >= 2 ** 35, "placed in the RM's parcel window");
  assert(matches(peer, sgl[0].ipa, PAGE, 3));
  assertEquals(peer.write(sgl[0].ipa, 9), false, "read-only for the borrower");
  assert(hlos.write(LENT_IPA + 10, 0x5a));
  assertEquals(peer.read(sgl[0].ipa + 10), 0x5a, "the owner's write is seen by the borrower");
  // Sanitize on release needs write rights.
  assertEquals(
    (await peer.call(RmMsg.MEM_RELEASE, encodeHandleFlags(h, 1))).error,
    RmError.ARGUMENT_INVALID,
  );
  assertEquals((await peer.call(RmMsg.MEM_RELEASE, encodeHandleFlags(h, 0))).error, RmError.OK);
  assertEquals(peer.read(sgl[0].ipa), null);
  assertEquals((await hlos.call(RmMsg.MEM_RECLAIM, encodeHandleFlags(h, 0))).error, RmError.OK);
  assertEquals(hlos.read(LENT_IPA + 10), 0x5a);
  assert(hlos.write(LENT_IPA, 1), "full rights again after reclaim");
  assertEquals(hlos.as.lookup(LENT_IPA)!.access, 7);
  assertEquals(rm.parcels.all.length, 0);
});

Deno.test("MEM_* bad input gets the RM's error codes and the RM keeps serving", async () => {
  const { rm, hlos, peer, log } = await setup();
  const lend = (acl: AclEntry[], sgl: SglEntry[], o?: Parameters<typeof create>[2]) =>
    hlos.call(RmMsg.MEM_LEND, create(acl, sgl, o)).then((r) => r.error);
  const rw = [{ vmid: PEER, rights: MemRights.RW }];
  const one = [{ ipa: LENT_IPA, size: PAGE }];
  // Short payloads.
  for (const id of [RmMsg.MEM_LEND, RmMsg.MEM_SHARE, RmMsg.MEM_DONATE]) {
    assertEquals((await hlos.call(id, new Uint8Array(19))).error, RmError.MSG_INVALID);
  }
  assertEquals((await hlos.call(RmMsg.MEM_ACCEPT, new Uint8Array(23))).error, RmError.MSG_INVALID);
  assertEquals((await hlos.call(RmMsg.MEM_RELEASE, new Uint8Array(7))).error, RmError.MSG_INVALID);
  assertEquals((await hlos.call(RmMsg.MEM_RECLAIM, new Uint8Array(4))).error, RmError.MSG_INVALID);
  assertEquals((await hlos.call(RmMsg.MEM_NOTIFY, new Uint8Array(11))).error, RmError.MSG_INVALID);
  assertEquals((await hlos.call(RmMsg.MEM_APPEND, new Uint8Array(11))).error, RmError.MSG_INVALID);
  assertEquals(
    (await hlos.call(RmMsg.MEM_QCOM_LOOKUP_SGL, new Uint8Array(15))).error,
    RmError.MSG_INVALID,
  );
  // A list count larger than the payload, trailing bytes, and a list longer than 512 (a
  // list missing at the very end is empty, as in the RM).
  const good = create(rw, one);
  assertEquals(
    (await hlos.call(RmMsg.MEM_LEND, good.slice(0, good.length - 4))).error,
    RmError.OK,
  );
  assertEquals((await hlos.call(RmMsg.MEM_RECLAIM, encodeHandleFlags(0, 0))).error, RmError.OK);
  const truncated = good.slice(0, good.length - 12);
  assertEquals((await hlos.call(RmMsg.MEM_LEND, truncated)).error, RmError.MSG_INVALID);
  const trailing = new Uint8Array(good.length + 4);
  trailing.set(good);
  assertEquals((await hlos.call(RmMsg.MEM_LEND, trailing)).error, RmError.MSG_INVALID);
  const huge = good.slice();
  new DataView(huge.buffer).setUint16(8, 513, true);
  assertEquals((await hlos.call(RmMsg.MEM_LEND, huge)).error, RmError.NORESOURCE);
  // Argument checks.
  assertEquals(await lend([], one), RmError.ARGUMENT_INVALID);
  assertEquals(await lend(rw, []), RmError.ARGUMENT_INVALID);
  assertEquals(await lend([...rw, ...rw], one), RmError.ARGUMENT_INVALID);
  assertEquals(await lend([{ vmid: PEER, rights: MemRights.W }], one), RmError.ARGUMENT_INVALID);
  assertEquals(await lend([{ vmid: 0x7777, rights: MemRights.R }], one), RmError.ARGUMENT_INVALID);
  assertEquals(await lend([{ vmid: 0x21, rights: MemRights.R }], one), RmError.DENIED); // no such VM
  assertEquals(
    await lend([{ vmid: Vmid.HLOS, rights: MemRights.RW }], one),
    RmError.ARGUMENT_INVALID,
  );
  assertEquals(await lend(rw, [{ ipa: LENT_IPA + 1, size: PAGE }]), RmError.ARGUMENT_INVALID);
  assertEquals(await lend(rw, [{ ipa: LENT_IPA, size: 100 }]), RmError.ARGUMENT_INVALID);
  assertEquals(await lend(rw, [{ ipa: 0x1000_0000, size: PAGE }]), RmError.MEM_INVALID);
  assertEquals(
    await lend(rw, [{ ipa: VM_IPA + 2 * MiB - PAGE, size: 2 * PAGE }]),
    RmError.MEM_INVALID,
    "runs past the end of its RAM",
  );
  assertEquals(
    await lend(rw, one, { attrs: [{ attr: MemAttr.DEVICE, vmid: PEER }] }),
    RmError.ARGUMENT_INVALID,
  );
  assertEquals(
    await lend(rw, one, { attrs: [{ attr: MemAttr.NORMAL, vmid: 0x81 }] }),
    RmError.VMID_INVALID,
  );
  assertEquals(await lend(rw, one, { memType: MemType.IO, flags: 1 }), RmError.ARGUMENT_INVALID);
  assertEquals(await lend(rw, one, { memType: 7 }), RmError.ARGUMENT_INVALID);
  assertEquals(
    (await hlos.call(
      RmMsg.MEM_DONATE,
      create([{ vmid: PEER, rights: MemRights.RW }], one),
    )).error,
    RmError.DENIED,
    "donation gives full rights",
  );
  // Nothing was taken by the failed requests; overlapping parcels are refused.
  assert(hlos.read(LENT_IPA) !== null);
  assertEquals(await lend(rw, [one[0], one[0]]), RmError.MEM_INVALID, "overlapping SGL entries");
  assert(hlos.read(LENT_IPA) !== null, "a failed create gives back what it took");
  assertEquals(await lend(rw, one), RmError.OK);
  assertEquals(
    await lend(rw, [{ ipa: LENT_IPA - PAGE, size: 2 * PAGE }]),
    RmError.MEM_INVALID,
    "already lent",
  );
  // Unknown handles, including the invalid handle.
  for (const h of [MEM_HANDLE_INVALID, 0x4242]) {
    assertEquals(
      (await peer.call(RmMsg.MEM_ACCEPT, accept(h, TransType.LEND, []))).error,
      RmError.HANDLE_INVALID,
    );
    assertEquals(
      (await peer.call(RmMsg.MEM_RELEASE, encodeHandleFlags(h, 0))).error,
      RmError.HANDLE_INVALID,
    );
    assertEquals(
      (await hlos.call(RmMsg.MEM_RECLAIM, encodeHandleFlags(h, 0))).error,
      RmError.HANDLE_INVALID,
    );
    assertEquals(
      (await hlos.call(RmMsg.MEM_NOTIFY, encodeNotify(h, MemNotifyFlag.SHARED, 0, [PEER]))).error,
      RmError.HANDLE_INVALID,
    );
  }
  // MEM_NOTIFY checks.
  const h = rm.parcels.all[0].handle; // the parcel lent above
  assertEquals(
    (await hlos.call(RmMsg.MEM_NOTIFY, encodeNotify(h, 3, 0, [PEER]))).error,
    RmError.ARGUMENT_INVALID,
  );
  assertEquals(
    (await peer.call(RmMsg.MEM_NOTIFY, encodeNotify(h, MemNotifyFlag.SHARED, 0, [PEER]))).error,
    RmError.DENIED,
  );
  assertEquals(
    (await hlos.call(RmMsg.MEM_NOTIFY, encodeNotify(h, MemNotifyFlag.SHARED, 0, []))).error,
    RmError.ARGUMENT_INVALID,
  );
  assertEquals(
    (await hlos.call(RmMsg.MEM_NOTIFY, encodeNotify(h, MemNotifyFlag.SHARED, 0, [0x21]))).error,
    RmError.VMID_INVALID,
  );
  assertEquals(
    (await hlos.call(RmMsg.MEM_NOTIFY, encodeNotify(h, MemNotifyFlag.SHARED, 0))).error,
    RmError.MSG_INVALID,
  );
  assertEquals(
    (await hlos.call(RmMsg.MEM_NOTIFY, encodeNotify(h, MemNotifyFlag.RELEASED, 0))).error,
    RmError.HANDLE_INVALID,
    "the owner is not in the ACL of a LEND",
  );
  // MEM_RECALL to the borrower.
  assertEquals(
    (await hlos.call(RmMsg.MEM_NOTIFY, encodeNotify(h, MemNotifyFlag.RECALL, 0, [PEER]))).error,
    RmError.OK,
  );
  // Accept with MAP_OTHER or a map_vmid.
  assertEquals(
    (await peer.call(
      RmMsg.MEM_ACCEPT,
      accept(h, TransType.LEND, [], { flags: MemAcceptFlag.DONE | MemAcceptFlag.MAP_OTHER }),
    )).error,
    RmError.DENIED,
  );
  assertEquals(
    (await peer.call(
      RmMsg.MEM_ACCEPT,
      accept(h, TransType.LEND, [{ ipa: BORROW_IPA, size: PAGE }], { mapVmid: 3 }),
    )).error,
    RmError.ARGUMENT_INVALID,
  );
  assertEquals(
    (await peer.call(
      RmMsg.MEM_ACCEPT,
      accept(h, TransType.LEND, [], {
        flags: MemAcceptFlag.DONE | MemAcceptFlag.VALIDATE_SANITIZED,
      }),
    )).error,
    RmError.VALIDATE_FAILED,
  );
  // Still serving.
  const id = await hlos.call(RmMsg.VM_GET_VMID);
  assertEquals(u32(id.data), Vmid.HLOS);
  await peer.call(RmMsg.VM_GET_VMID);
  assert(peer.notes.some((n) => n.msgId === RmNotify.MEM_RECALL));
  assert(log.some((l) => l.includes("not page aligned")));
});

Deno.test("MEM_APPEND: an SGL over several (fragmented) messages; accept waits for DONE", async () => {
  const { hlos, peer, fill, matches } = await setup();
  // 20 one-page entries, every other page: a 340-byte request (two fragments).
  const sgl = Array.from({ length: 20 }, (_, i) => ({ ipa: LENT_IPA + 2 * i * PAGE, size: PAGE }));
  for (const e of sgl) fill(hlos, e.ipa, PAGE, e.ipa >> 12);
  const first = create([{ vmid: PEER, rights: MemRights.RWX }], sgl, {
    flags: MemCreateFlag.APPEND,
  });
  assert(first.length > RPC_MAX_CONTENT);
  const r = await hlos.call(RmMsg.MEM_LEND, first);
  assertEquals(r.error, RmError.OK);
  const h = u32(r.data);
  assertEquals(
    (await peer.call(RmMsg.MEM_ACCEPT, accept(h, TransType.LEND, []))).error,
    RmError.DENIED,
    "still being built",
  );
  const more = [{ ipa: LENT_IPA + 0x8_0000, size: 3 * PAGE }];
  fill(hlos, more[0].ipa, 3 * PAGE, 99);
  assertEquals(
    (await peer.call(RmMsg.MEM_APPEND, encodeAppend({ handle: h, flags: 1, sgl: more }))).error,
    RmError.DENIED,
  );
  assertEquals(
    (await hlos.call(RmMsg.MEM_APPEND, encodeAppend({ handle: h, flags: 1, sgl: [] }))).error,
    RmError.ARGUMENT_INVALID,
  );
  assertEquals(
    (await hlos.call(
      RmMsg.MEM_APPEND,
      encodeAppend({ handle: h, flags: MEM_APPEND_FLAG_DONE, sgl: more }),
    )).error,
    RmError.OK,
  );
  assertEquals(
    (await hlos.call(RmMsg.MEM_APPEND, encodeAppend({ handle: h, flags: 1, sgl: more }))).error,
    RmError.DENIED,
  );
  assertEquals(hlos.read(more[0].ipa + PAGE), null);
  // Contiguous accept at one IPA: 23 pages back to back.
  const acc = await peer.call(
    RmMsg.MEM_ACCEPT,
    accept(h, TransType.LEND, [{ ipa: BORROW_IPA, size: 23 * PAGE }], {
      flags: MemAcceptFlag.DONE | MemAcceptFlag.MAP_CONTIGUOUS,
    }),
  );
  assertEquals(acc.error, RmError.OK);
  for (let i = 0; i < 20; i++) assert(matches(peer, BORROW_IPA + i * PAGE, PAGE, sgl[i].ipa >> 12));
  assert(matches(peer, BORROW_IPA + 20 * PAGE, 3 * PAGE, 99));
  assertEquals(peer.read(BORROW_IPA + 23 * PAGE), null);
});

Deno.test("MEM_DONATE: the recipient owns the pages after ACCEPT and can lend them on; MEM_QCOM_LOOKUP_SGL", async () => {
  const { rm, hlos, peer, fill, matches } = await setup();
  fill(hlos, LENT_IPA, PAGE, 11);
  const acl = [{ vmid: PEER, rights: MemRights.RWX }];
  const sgl = [{ ipa: LENT_IPA, size: PAGE }];
  const r = await hlos.call(RmMsg.MEM_DONATE, create(acl, sgl, { label: 5 }));
  assertEquals(r.error, RmError.OK);
  const h = u32(r.data);
  // Lookup by the exact lists finds it (only the owner's, only before acceptance).
  const lookup = encodeLookup({ memType: MemType.NORMAL, label: 5, acl, sgl, attrs: [] });
  const found = await hlos.call(RmMsg.MEM_QCOM_LOOKUP_SGL, lookup);
  assertEquals(found.error, RmError.OK);
  assertEquals(u32(found.data), h);
  assertEquals(
    (await peer.call(RmMsg.MEM_QCOM_LOOKUP_SGL, lookup)).error,
    RmError.LOOKUP_FAILED,
  );
  assertEquals(
    (await hlos.call(
      RmMsg.MEM_QCOM_LOOKUP_SGL,
      encodeLookup({
        memType: MemType.NORMAL,
        label: 5,
        acl,
        sgl: [{ ...sgl[0], size: 2 * PAGE }],
        attrs: [],
      }),
    )).error,
    RmError.LOOKUP_FAILED,
  );
  assertEquals(hlos.read(LENT_IPA), null);
  assertEquals(
    (await peer.call(
      RmMsg.MEM_ACCEPT,
      accept(h, TransType.DONATE, [{ ipa: BORROW_IPA, size: PAGE }]),
    )).error,
    RmError.OK,
  );
  assert(matches(peer, BORROW_IPA, PAGE, 11));
  assertEquals(rm.parcels.get(h), null, "a completed donation leaves no parcel");
  assertEquals(
    (await hlos.call(RmMsg.MEM_RECLAIM, encodeHandleFlags(h, 0))).error,
    RmError.HANDLE_INVALID,
  );
  assert(rm.parcels.ownedMemory(PEER).some((o) => o.ipa === BORROW_IPA && o.size === PAGE));
  // The recipient lends the donated page back.
  const back = await peer.call(
    RmMsg.MEM_LEND,
    create([{ vmid: Vmid.HLOS, rights: MemRights.R }], [{ ipa: BORROW_IPA, size: PAGE }]),
  );
  assertEquals(back.error, RmError.OK);
  assertEquals(peer.read(BORROW_IPA), null);
  const h2 = u32(back.data);
  assertEquals(
    (await hlos.call(
      RmMsg.MEM_ACCEPT,
      accept(h2, TransType.LEND, [{ ipa: BORROW_IPA, size: PAGE }]),
    )).error,
    RmError.OK,
  );
  assert(matches(hlos, BORROW_IPA, PAGE, 11));
});

Deno.test("SANITIZE at creation zeroes at once; releaseAllFor returns a departing VM's parcels", async () => {
  const { rm, hlos, peer, fill } = await setup();
  fill(hlos, LENT_IPA, PAGE, 1);
  const r = await hlos.call(
    RmMsg.MEM_LEND,
    create([{ vmid: PEER, rights: MemRights.RW }], [{ ipa: LENT_IPA, size: PAGE }], {
      flags: MemCreateFlag.SANITIZE,
    }),
  );
  const h = u32(r.data);
  assertEquals(
    (await peer.call(
      RmMsg.MEM_ACCEPT,
      accept(h, TransType.LEND, [{ ipa: BORROW_IPA, size: PAGE }], {
        flags: MemAcceptFlag.DONE | MemAcceptFlag.VALIDATE_SANITIZED,
      }),
    )).error,
    RmError.OK,
  );
  for (let i = 0; i < PAGE; i += 97) assertEquals(peer.read(BORROW_IPA + i), 0);
  peer.write(BORROW_IPA, 0x77);
  // A second parcel the peer owns and lent to the HLOS.
  const p2 = await peer.call(
    RmMsg.MEM_LEND,
    create([{ vmid: Vmid.HLOS, rights: MemRights.R }], [{ ipa: VM_IPA, size: PAGE }]),
  );
  const h2 = u32(p2.data);
  assertEquals(
    (await hlos.call(
      RmMsg.MEM_ACCEPT,
      accept(h2, TransType.LEND, [{ ipa: BORROW_IPA, size: PAGE }]),
    )).error,
    RmError.OK,
  );
  // The peer goes away: what it borrowed is released (owner told), what it owns is returned.
  rm.parcels.releaseAllFor(PEER);
  assertEquals(peer.read(BORROW_IPA), null, "what it borrowed is gone");
  assert(peer.read(VM_IPA) !== null, "its own page is back in its address space");
  assertEquals(hlos.read(BORROW_IPA), null, "the HLOS lost the peer's page");
  assertEquals(rm.parcels.get(h2), null);
  assertEquals(rm.parcels.get(h)!.state, ParcelState.SHARING);
  await hlos.call(RmMsg.VM_GET_VMID);
  assert(hlos.notes.some((n) => n.msgId === RmNotify.MEM_RELEASED && u32(n.payload) === h));
  assertEquals((await hlos.call(RmMsg.MEM_RECLAIM, encodeHandleFlags(h, 0))).error, RmError.OK);
  assertEquals(hlos.read(LENT_IPA), 0x77);
});

Deno.test("MEM_ACCEPT in two steps: IPAs chosen without DONE are reserved (no reclaim), mapped by the DONE accept", async () => {
  const { hlos, peer, fill, matches } = await setup();
  fill(hlos, LENT_IPA, PAGE, 21);
  fill(hlos, LENT_IPA + PAGE, PAGE, 22);
  const r = await hlos.call(
    RmMsg.MEM_LEND,
    create([{ vmid: PEER, rights: MemRights.RWX }], [
      { ipa: LENT_IPA, size: PAGE },
      { ipa: LENT_IPA + PAGE, size: PAGE },
    ]),
  );
  const h = u32(r.data);
  const first = await peer.call(RmMsg.MEM_ACCEPT, accept(h, TransType.LEND, [], { flags: 0 }));
  assertEquals(first.error, RmError.OK);
  const { sgl } = decodeAcceptReply(first.data);
  assertEquals(sgl.length, 2);
  assertEquals(peer.read(sgl[0].ipa), null, "not mapped before DONE");
  assertEquals(
    (await hlos.call(RmMsg.MEM_RECLAIM, encodeHandleFlags(h, 0))).error,
    RmError.MEM_INUSE,
  );
  assertEquals(
    (await peer.call(
      RmMsg.MEM_ACCEPT,
      accept(h, TransType.LEND, [{ ipa: BORROW_IPA, size: PAGE }, { ipa: BORROW_IPA, size: PAGE }]),
    )).error,
    RmError.ARGUMENT_INVALID,
    "the IPAs are already chosen",
  );
  const done = await peer.call(RmMsg.MEM_ACCEPT, accept(h, TransType.LEND, []));
  assertEquals(done.error, RmError.OK);
  assertEquals(decodeAcceptReply(done.data).sgl.length, 0);
  assert(matches(peer, sgl[0].ipa, PAGE, 21));
  assert(matches(peer, sgl[1].ipa, PAGE, 22));
});

Deno.test("acceptFor maps a parcel into a VM on its behalf (its RAM at VM_INIT), also into an addrspace the RM names", async () => {
  const { rm, hlos, peer, fill, matches } = await setup();
  fill(hlos, LENT_IPA, 2 * PAGE, 40);
  const h = rm.parcels.create(
    Vmid.HLOS,
    RmMsg.MEM_LEND,
    {
      memType: MemType.NORMAL,
      flags: 0,
      label: 0,
      acl: [{ vmid: PEER, rights: MemRights.RWX }],
      sgl: [{ ipa: LENT_IPA, size: 2 * PAGE }],
      attrs: [],
    },
  );
  rm.parcels.acceptFor(h, PEER, BORROW_IPA, rm.vm(PEER).caps!.addrspace);
  assert(matches(peer, BORROW_IPA, 2 * PAGE, 40));
  assertEquals(rm.parcels.get(h)!.vms[0].accepted, true);
  assertEquals(rm.parcels.ipaOf(h, PEER, PAGE), BORROW_IPA + PAGE);
  assertEquals(rm.parcels.ipaOf(h, Vmid.HLOS, PAGE), LENT_IPA + PAGE);
  // The owner accepting on its own behalf is refused with the RM's code.
  let code = 0;
  try {
    rm.parcels.acceptFor(h, Vmid.HLOS, BORROW_IPA);
  } catch (e) {
    code = (e as { code: number }).code;
  }
  assertEquals(code, RmError.VMID_INVALID);
  rm.parcels.releaseAllFor(PEER);
  assertEquals(peer.read(BORROW_IPA), null);
  assertEquals((await hlos.call(RmMsg.MEM_RECLAIM, encodeHandleFlags(h, 0))).error, RmError.OK);
  assert(matches(hlos, LENT_IPA, 2 * PAGE, 40));
});
