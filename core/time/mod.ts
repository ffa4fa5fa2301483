/**
 * Virtual time: the deterministic clock and the timer queue.
 *
 * @module
 */
export * from "./virtual_clock.ts";
export * from "./timer_queue.ts";
