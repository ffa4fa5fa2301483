/**
 * `UserMemory` over physical memory with virtual = physical addresses: the
 * buffer access of a thread-less native caller (a component or a test) that
 * addresses hypervisor physical memory directly. Out-of-RAM buffers are
 * ERROR_ADDR_INVALID.
 *
 * @module
 */
import { HypError } from "../abi/error.ts";
import type { UserMemory } from "../hypercall/context.ts";
import type { PhysicalMemory } from "./physical_memory.ts";

/** Identity-mapped access to {@link PhysicalMemory}. */
export class PhysicalUserMemory implements UserMemory {
  readonly memory: PhysicalMemory;

  constructor(memory: PhysicalMemory) {
    this.memory = memory;
  }

  readUser(va: bigint, length: number): Uint8Array | HypError {
    const base = this.#address(va, length);
    if (base < 0) return HypError.ERROR_ADDR_INVALID;
    return this.memory.read(base, length);
  }

  writeUser(va: bigint, data: Uint8Array): HypError {
    const base = this.#address(va, data.length);
    if (base < 0) return HypError.ERROR_ADDR_INVALID;
    this.memory.write(base, data);
    return HypError.OK;
  }

  #address(va: bigint, length: number): number {
    if (va > BigInt(Number.MAX_SAFE_INTEGER)) return -1;
    const base = Number(va);
    return this.memory.regionFor(base, Math.max(length, 1)) ? base : -1;
  }
}
