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
import { type LogRateLimit, suppressedNote } from "../plugin/log_rate_limit.ts";
import { isStage2View } from "./vcpu_user_memory.ts";

const EMPTY_STAGE2: Stage2View = { lookup: () => null, generation: 0 };

/** What a device host needs from the hypervisor. */
export interface DeviceHostDeps {
  readonly clock: VirtualClock;
  readonly timers: TimerQueue;
  /** Kick the run loop (a new timer may be the next deadline). */
  wake(): void;
  /** Rate-limited diagnostics per source (the hypervisor's). */
  readonly logLimit: LogRateLimit;
}

let hostCount = 0;

/**
 * A {@link DeviceHost} for a device of the VM on `addrspace`, raising `irq`'s
 * lines.
 *
 * Fault containment (issue 12): the device's timer callbacks and line changes
 * are guarded, so a device that throws from a timer or names a line its VM
 * does not have is logged (rate-limited) and its timer dropped; the other
 * devices and VMs go on. The device's own log lines are rate-limited per
 * device, because a guest can cause them (a malformed ring, one per kick).
 * A device that wants to go to a failed state on such a fault (virtio:
 * DEVICE_NEEDS_RESET) is attached through plugins/host, which guards first.
 */
export function createDeviceHost(
  hv: DeviceHostDeps,
  addrspace: object,
  irq: InterruptController,
  log: (m: string) => void,
): DeviceHost {
  const memory = isStage2View(addrspace) ? addrspace : EMPTY_STAGE2;
  const source = `device host ${++hostCount}`;
  const fault = (what: string, e: unknown) =>
    hv.logLimit.log(source, `${what} failed: ${e instanceof Error ? e.message : String(e)}`);
  const limited = new LogRateLimitedSink(hv.logLimit, source, log);
  return {
    memory,
    clock: hv.clock,
    setIrq: (intid, level) => {
      try {
        irq.setLine(intid, level);
      } catch (e) {
        fault(`interrupt line ${intid}`, e);
      }
    },
    setTimer: (at, fn) => {
      const h = hv.timers.schedule(at, () => {
        try {
          fn();
        } catch (e) {
          fault("timer callback", e);
        }
      });
      hv.wake();
      return () => h.cancel();
    },
    log: (m) => limited.log(m),
  };
}

/** A device's own log, rate-limited per device but written to the device's sink. */
class LogRateLimitedSink {
  constructor(
    readonly limit: LogRateLimit,
    readonly source: string,
    readonly sink: (m: string) => void,
  ) {}
  log(message: string): void {
    // The limiter decides; the device's own sink writes the line unprefixed, as before.
    const skipped = this.limit.take(this.source);
    if (skipped >= 0) this.sink(message + suppressedNote(skipped));
  }
}
