/**
 * The component host: native components (the resource manager is one) run
 * in the hypervisor's process with a thread-less caller context, make
 * hypercalls through the same dispatch as HVC, and receive the VIRQs
 * asserted on their interrupt controller between rounds.
 *
 * @module
 */
import { GIC_SPI_NUM } from "../abi/gicv3.ts";
import type { Cspace } from "../cspace/cspace.ts";
import type { HypercallContext } from "../hypercall/context.ts";
import type { HypercallTable } from "../hypercall/table.ts";
import type { Partition } from "../object/partition/partition.ts";
import type { Component } from "../plugin/contracts.ts";
import { ComponentInterruptController } from "./component_irq.ts";
import {
  type ComponentEnv,
  type ComponentHandle,
  type ComponentPort,
  createComponentVic,
} from "./component.ts";

/** Where a component lives by default: the root cspace and partition, and their caps. */
export interface ComponentDefaults {
  readonly cspace: Cspace;
  readonly cspaceCap: bigint;
  readonly partition: Partition;
  readonly partitionCap: bigint;
}

/** Options of {@link ComponentHost.add}: where the component lives (default: the root's). */
export type ComponentPlacement = Partial<ComponentDefaults>;

/** The native components of one hypervisor. */
export class ComponentHost {
  readonly #components: ComponentHandle[] = [];
  readonly #table: HypercallTable;
  readonly #defaults: ComponentDefaults;
  readonly #nativeContext: (cspace: Cspace, partition: Partition) => HypercallContext;
  readonly #wake: () => void;
  readonly #fault: (source: string, error: unknown) => void;

  /**
   * Components calling through `table`; `wake` kicks the run loop after a
   * call or a VIRQ; `fault` receives what a component's `onVirq` throws
   * (contained: the other components and the round go on).
   */
  constructor(
    table: HypercallTable,
    defaults: ComponentDefaults,
    nativeContext: (cspace: Cspace, partition: Partition) => HypercallContext,
    wake: () => void,
    fault: (source: string, error: unknown) => void = (_s, e) => {
      throw e;
    },
  ) {
    this.#fault = fault;
    this.#table = table;
    this.#defaults = defaults;
    this.#nativeContext = nativeContext;
    this.#wake = wake;
  }

  /** Start `component` (see {@link Hypervisor.addComponent}). */
  async add(component: Component, options: ComponentPlacement = {}): Promise<ComponentHandle> {
    const d = this.#defaults;
    const cspace = options.cspace ?? d.cspace;
    const partition = options.partition ?? d.partition;
    const context = this.#nativeContext(cspace, partition);
    const irq = new ComponentInterruptController(GIC_SPI_NUM, () => this.#wake());
    const partitionCap = options.partitionCap ?? d.partitionCap;
    const cspaceCap = options.cspaceCap ?? d.cspaceCap;
    const env: ComponentEnv = {
      partitionCap,
      cspaceCap,
      vicCap: createComponentVic(this.#table, context, partitionCap, cspaceCap, irq),
    };
    const port: ComponentPort = {
      env,
      call: (n, ...args) => {
        const r = this.#table.call(context, n, ...args);
        this.#wake();
        return r;
      },
    };
    const handle: ComponentHandle = { component, port, context, irq };
    this.#components.push(handle);
    await component.start(port);
    return handle;
  }

  /** Hand queued VIRQs to their components (between rounds); returns whether any was delivered. */
  deliverVirqs(): boolean {
    let delivered = false;
    for (const h of this.#components) {
      if (!h.irq.hasPending()) continue;
      for (const virq of h.irq.takePending()) {
        try {
          h.component.onVirq?.(virq);
        } catch (e) {
          this.#fault(`component ${h.component.name}`, e);
        }
      }
      delivered = true;
    }
    return delivered;
  }

  /** Whether a component has a VIRQ waiting. */
  pending(): boolean {
    for (const h of this.#components) if (h.irq.hasPending()) return true;
    return false;
  }

  /** Stop every component (reverse start order). */
  async stopAll(): Promise<void> {
    for (const h of this.#components.splice(0).reverse()) await h.component.stop?.();
  }
}
