/**
 * The watchdog of process-isolated devices (./process_device.ts), run in a
 * host Worker: while the host's thread is blocked reading a plugin's answer,
 * nothing on that thread can keep time, so this thread does. For each armed
 * device it watches the host's progress word; a call that makes no progress
 * within its limit gets the plugin's process a SIGKILL, which closes the
 * pipe, so the host's blocked read returns at once (end of stream).
 *
 * Shared words per device slot ({@link WD_SLOT_WORDS} Int32 each):
 * {@link WD_PROGRESS} (the host bumps it at every frame of a call),
 * {@link WD_LIMIT_MS} (0 = disarmed), {@link WD_PID}, {@link WD_KILLED}
 * (set here before the kill).
 *
 * @module
 */

/** Word: progress counter of the slot's current call. */
export const WD_PROGRESS = 0;
/** Word: how long the current call may make no progress (ms); 0 = not in a call. */
export const WD_LIMIT_MS = 1;
/** Word: the plugin process's id (0 = slot free). */
export const WD_PID = 2;
/** Word: 1 once the watchdog killed the process. */
export const WD_KILLED = 3;
/** Int32 words per slot. */
export const WD_SLOT_WORDS = 4;
/** How often the watchdog looks (ms): a missed limit is seen at most this late. */
export const WD_POLL_MS = 2;

/** Host → watchdog messages. */
export type WatchdogMessage =
  | { readonly t: "watch"; readonly words: SharedArrayBuffer }
  | { readonly t: "stop" };

interface WatchdogScope {
  onmessage: ((e: MessageEvent<WatchdogMessage>) => void) | null;
  postMessage(m: "watching"): void;
  close(): void;
}

/** Start watching (in the watchdog Worker). */
function main(): void {
  const scope = globalThis as unknown as WatchdogScope;
  const watched: { w: Int32Array; seen: number; since: number }[] = [];
  let timer: ReturnType<typeof setInterval> | null = null;
  const tick = () => {
    const now = performance.now();
    for (const s of watched) {
      const limit = Atomics.load(s.w, WD_LIMIT_MS);
      const progress = Atomics.load(s.w, WD_PROGRESS);
      if (limit === 0 || progress !== s.seen) {
        s.seen = progress;
        s.since = now;
        continue;
      }
      const pid = Atomics.load(s.w, WD_PID);
      if (now - s.since >= limit && pid !== 0 && Atomics.load(s.w, WD_KILLED) === 0) {
        Atomics.store(s.w, WD_KILLED, 1);
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // Already gone: its pipe is closed, the host's read ends anyway.
        }
      }
    }
  };
  scope.onmessage = (e) => {
    const m = e.data;
    if (m.t === "watch") {
      watched.push({ w: new Int32Array(m.words), seen: -1, since: performance.now() });
      if (timer === null) timer = setInterval(tick, WD_POLL_MS);
      // The host waits for this before its first blocking call: a watchdog still loading its
      // module could not bound it.
      scope.postMessage("watching");
    } else {
      if (timer !== null) clearInterval(timer);
      scope.close();
    }
  };
}

if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  main();
}
