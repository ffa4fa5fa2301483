/**
 * RM RPC: random requests (known and unknown message IDs, random payloads of
 * 0..300 bytes, some with a plausible VMID in front) from the host VMM's real
 * RPC channel (message queues, fragmentation, VIRQs) to the resource
 * manager. Invariants: every request gets a reply (the RM never goes
 * silent), no host exception, no contained hypervisor fault, and after the batch the
 * RM still answers VM_GET_VMID.
 *
 * @module
 */
import { RmMsg, Vmid } from "@gunyah-ts/rm";
import { GunyahSystem, HostVmmError } from "@gunyah-ts/system";
import { FuzzFailure, type FuzzTarget } from "../runner.ts";

const KNOWN: readonly number[] = Object.values(RmMsg);
/** A flat binary that waits for interrupts for ever (`wfi; b .-4`). */
const IDLE = new Uint8Array(Uint32Array.of(0xd503207f, 0x17ffffff).buffer);
const VMIDS = [Vmid.HLOS, 0x3f, Vmid.DYNAMIC_FIRST, Vmid.DYNAMIC_FIRST + 1, 0, 0xffff];

/** The target. */
export const rmRpcTarget: FuzzTarget = {
  name: "rm-rpc",
  description: "random RM RPC requests over the host VMM's message-queue channel",
  async batch(prng, size) {
    const sys = await GunyahSystem.create({ ramBytes: 64 << 20 });
    try {
      // The RM starts (and the host VMM gets its channel) with the first VM: a primary that idles.
      sys.launch({ name: "primary", memory: 16 << 20, vcpus: 1, kernel: IDLE, bootargs: "" });
      let n = 0;
      for (; n < size; n++) {
        const msgId = prng.below(4) === 0 ? 0x5600_0000 + prng.below(0x200) : prng.pick(KNOWN);
        const payload = prng.bytes(prng.pick([0, 2, 4, 8, 16, 24, 40, prng.below(300)]));
        if (payload.length >= 2 && prng.below(2) === 0) {
          const v = prng.pick(VMIDS);
          payload[0] = v & 0xff;
          payload[1] = v >> 8;
        }
        try {
          await sys.hostVmm.call(msgId, payload);
        } catch (e) {
          if (e instanceof HostVmmError) continue; // the RM's refusal: a reply
          throw new FuzzFailure(
            `request ${n} (msg 0x${msgId.toString(16)}, ${payload.length} bytes): ${
              (e as Error).name
            }: ${(e as Error).message}`,
          );
        }
      }
      if (sys.hv.faults > 0) throw new FuzzFailure(`${sys.hv.faults} faults were contained`);
      await sys.hostVmm.call(RmMsg.VM_GET_VMID).catch((e) => {
        throw new FuzzFailure(`the RM stopped serving: ${(e as Error).message}`);
      });
      return n;
    } finally {
      await sys.close();
    }
  },
};
