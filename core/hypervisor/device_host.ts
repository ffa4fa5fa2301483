/**
 * The device host: what the hypervisor gives a device of one VM
 * ({@link DeviceHost}) — guest memory through the VM's stage-2 view,
 * interrupt lines through the VM's controller, timers on virtual time.
 *
 * @module
 */
import type { DeviceHost, InterruptController, Stage2View } from "../plugin/contracts.ts";
import type { TimerQueue } from "../time/timer_queue.ts";
import type { VirtualClock } from "../time/virtual_clock.ts";
import { isStage2View } from "./vcpu_user_memory.ts";

const EMPTY_STAGE2: Stage2View = { lookup: () => null, generation: 0 };

/** What a device host needs from the hypervisor. */
export interface DeviceHostDeps {
  readonly clock: VirtualClock;
  readonly timers: TimerQueue;
  /** Kick the run loop (a new timer may be the next deadline). */
  wake(): void;
}

/** A {@link DeviceHost} for a device of the VM on `addrspace`, raising `irq`'s lines. */
export function createDeviceHost(
  hv: DeviceHostDeps,
  addrspace: object,
  irq: InterruptController,
  log: (m: string) => void,
): DeviceHost {
  const memory = isStage2View(addrspace) ? addrspace : EMPTY_STAGE2;
  return {
    memory,
    clock: hv.clock,
    setIrq: (intid, level) => irq.setLine(intid, level),
    setTimer: (at, fn) => {
      const h = hv.timers.schedule(at, () => fn());
      hv.wake();
      return () => h.cancel();
    },
    log,
  };
}
