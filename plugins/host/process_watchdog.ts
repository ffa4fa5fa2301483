/**
 * The watchdog of a process-isolated device (./process_device.ts), run in a
 * host Worker: while the host's thread is blocked reading the plugin's
 * answer, nothing on that thread can keep time, so this thread does. The
 * host stamps every frame of a call (progress counter and time); a call that
 * makes no progress within its limit gets the plugin's process a SIGKILL,
 * and a few bytes written into the plugin → host pipe wake the host's
 * blocked read at once (without waiting for the kernel to tear the process
 * down); the host sees {@link WD_KILLED} and fails the device.
 *
 * Shared memory ({@link WD_BYTES}): Int32 words {@link WD_PROGRESS},
 * {@link WD_LIMIT_MS} (0 = not in a call), {@link WD_PID}, {@link WD_KILLED},
 * {@link WD_STOP}; a Float64 at {@link WD_SINCE_BYTE}: when progress was last
 * made (ms since the Unix epoch, `performance.timeOrigin + performance.now()`).
 *
 * @module
 */

/** Word: progress counter of the current call (the host bumps it at every frame). */
export const WD_PROGRESS = 0;
/** Word: how long the current call may make no progress (ms); 0 = not in a call. */
export const WD_LIMIT_MS = 1;
/** Word: the plugin process's id. */
export const WD_PID = 2;
/** Word: 1 once the watchdog killed the process. */
export const WD_KILLED = 3;
/** Word: 1 tells the watchdog to end (the host notifies it). */
export const WD_STOP = 4;
/** Byte offset of the Float64 time of the last progress. */
export const WD_SINCE_BYTE = 24;
/** Bytes of the shared memory. */
export const WD_BYTES = 32;
/** Longest sleep between looks (ms): an armed call is noticed at most this late. */
export const WD_IDLE_MS = 5;

/** Watchdog → host: watching now; its thread's Linux id (for scheduling diagnostics), or 0. */
export interface WatchdogReady {
  readonly tid: number;
}

/** Host → watchdog: what to watch. */
export interface WatchdogStart {
  readonly words: SharedArrayBuffer;
  /** The plugin → host FIFO, written to wake the host after a kill. */
  readonly wakePath: string;
}

interface WatchdogScope {
  onmessage: ((e: MessageEvent<WatchdogStart>) => void) | null;
  postMessage(m: WatchdogReady): void;
  close(): void;
}

/** Wake the host's blocked read: the pipe gets bytes (the host checks WD_KILLED first). */
function wake(path: string): void {
  try {
    const f = Deno.openSync(path, { write: true });
    try {
      f.writeSync(new Uint8Array(8));
    } finally {
      f.close();
    }
  } catch {
    // The host closed its end: nobody is blocked on it.
  }
}

function watch(start: WatchdogStart, scope: WatchdogScope): void {
  const w = new Int32Array(start.words, 0, WD_SINCE_BYTE / 4);
  const since = new Float64Array(start.words, WD_SINCE_BYTE, 1);
  let tid = 0;
  try {
    tid = Number(Deno.readLinkSync("/proc/thread-self").split("/").pop());
  } catch {
    // No /proc or no read permission: a diagnostic only.
  }
  scope.postMessage({ tid });
  while (Atomics.load(w, WD_STOP) === 0) {
    const limit = Atomics.load(w, WD_LIMIT_MS);
    let sleep = WD_IDLE_MS;
    if (limit !== 0 && Atomics.load(w, WD_KILLED) === 0) {
      const progress = Atomics.load(w, WD_PROGRESS);
      const left = since[0] + limit - (performance.timeOrigin + performance.now());
      if (left <= 0 && Atomics.load(w, WD_PROGRESS) === progress) {
        Atomics.store(w, WD_KILLED, 1);
        try {
          Deno.kill(Atomics.load(w, WD_PID), "SIGKILL");
        } catch {
          // Already gone.
        }
        wake(start.wakePath);
        continue;
      }
      sleep = Math.max(0.1, Math.min(WD_IDLE_MS, left));
    }
    Atomics.wait(w, WD_STOP, 0, sleep);
  }
  scope.close();
}

if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const scope = globalThis as unknown as WatchdogScope;
  scope.onmessage = (e) => watch(e.data, scope);
}
