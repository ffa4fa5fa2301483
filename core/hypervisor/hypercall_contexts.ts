/**
 * The hypercall caller contexts the hypervisor hands to the dispatcher: one
 * per vCPU (its cspace, and its buffers reached through its own stage 1 and
 * stage 2), and thread-less ones for native components, tools and tests
 * (buffers in physical memory).
 *
 * @module
 */
import { Cspace } from "../cspace/cspace.ts";
import type { HypercallContext } from "../hypercall/context.ts";
import type { PhysicalMemory } from "../memory/physical_memory.ts";
import { PhysicalUserMemory } from "../memory/physical_user_memory.ts";
import type { Partition } from "../object/partition/partition.ts";
import type { Thread } from "../object/thread/thread.ts";
import { VcpuUserMemory } from "./vcpu_user_memory.ts";

/** The caller contexts of one hypervisor. */
export class HypercallContexts {
  readonly #contexts = new Map<Thread, HypercallContext>();
  /** Caller cspace of vCPUs with no cspace attached: every CapID is empty. */
  readonly #emptyCspace: Cspace;
  readonly #userMemory: PhysicalUserMemory;
  readonly #rootPartition: Partition;

  /** Contexts over `physicalMemory`, defaulting to `rootPartition`. */
  constructor(rootPartition: Partition, physicalMemory: PhysicalMemory) {
    this.#rootPartition = rootPartition;
    this.#emptyCspace = new Cspace(rootPartition, rootPartition.services.random.fork());
    this.#userMemory = new PhysicalUserMemory(physicalMemory);
  }

  /** A thread-less caller context (native components, tools, tests). */
  native(cspace: Cspace, partition: Partition): HypercallContext {
    const mem = this.#userMemory;
    return {
      cspace,
      partition,
      thread: null,
      readUser: (va, length) => mem.readUser(va, length),
      writeUser: (va, data) => mem.writeUser(va, data),
    };
  }

  /** The context of a vCPU (cached until its cspace changes). */
  of(thread: Thread): HypercallContext {
    let ctx = this.#contexts.get(thread);
    if (ctx && ctx.cspace === (thread.cspace ?? this.#emptyCspace)) return ctx;
    const partition = thread.partition ?? this.#rootPartition;
    const mem = new VcpuUserMemory(thread);
    ctx = {
      cspace: thread.cspace ?? this.#emptyCspace,
      partition,
      thread,
      readUser: (va, length) => mem.readUser(va, length),
      writeUser: (va, data) => mem.writeUser(va, data),
    };
    this.#contexts.set(thread, ctx);
    return ctx;
  }

  /** Drop a destroyed vCPU's context. */
  forget(thread: Thread): void {
    this.#contexts.delete(thread);
  }
}
