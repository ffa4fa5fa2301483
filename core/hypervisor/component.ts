/**
 * Native components (the resource manager is one): what a component is told
 * about itself, the port it calls hypercalls through, and the vic that
 * delivers its VIRQs. The hypervisor starts components with
 * `Hypervisor.addComponent`.
 *
 * @module
 */
import { errorFromRegister, HypError } from "../abi/error.ts";
import { GIC_SPI_NUM } from "../abi/gicv3.ts";
import { Hypercall } from "../abi/hypercall_numbers.ts";
import type { HypercallContext } from "../hypercall/context.ts";
import type { HypercallTable } from "../hypercall/table.ts";
import { ObjectType } from "../object/object_type.ts";
import type { Vic } from "../object/vic/vic.ts";
import type { Component, HypercallPort } from "../plugin/contracts.ts";
import type { ComponentInterruptController } from "./component_irq.ts";

/** What a native component is told about itself (like the RM's boot environment). */
export interface ComponentEnv {
  /** CapID of the component's partition in its cspace. */
  readonly partitionCap: bigint;
  /** CapID of the component's cspace in itself. */
  readonly cspaceCap: bigint;
  /** CapID of the component's vic: VIRQs (SPIs) bound to it reach `onVirq`. */
  readonly vicCap: bigint;
}

/** The port given to a component: the contract's HypercallPort plus its environment. */
export interface ComponentPort extends HypercallPort {
  /** The component's caps. */
  readonly env: ComponentEnv;
}

/** A native component as started by {@link Hypervisor.addComponent}. */
export interface ComponentHandle {
  /** The component. */
  readonly component: Component;
  /** The component's hypercall entry. */
  readonly port: ComponentPort;
  /** Its caller context (thread-less). */
  readonly context: HypercallContext;
  /** The interrupt controller behind its vic. */
  readonly irq: ComponentInterruptController;
}

/**
 * A vic for a component, through the same hypercalls the RM would use
 * (partition_create_vic, vic_configure, object_activate), backed by the
 * component's interrupt controller.
 */
export function createComponentVic(
  table: HypercallTable,
  ctx: HypercallContext,
  partitionCap: bigint,
  cspaceCap: bigint,
  irq: ComponentInterruptController,
): bigint {
  const must = (r: bigint[], what: string): bigint[] => {
    const err = errorFromRegister(r[0]);
    if (err !== HypError.OK) {
      throw new Error(`component vic: ${what} failed with Gunyah error ${err}`);
    }
    return r;
  };
  const cap = must(
    table.call(ctx, Hypercall.PARTITION_CREATE_VIC, partitionCap, cspaceCap, 0n),
    "partition_create_vic",
  )[1];
  must(
    table.call(ctx, Hypercall.VIC_CONFIGURE, cap, 1n, BigInt(GIC_SPI_NUM), 0n, 0n),
    "vic_configure",
  );
  ctx.cspace.lookup<Vic>(cap, ObjectType.VIC, 0, false).setController(irq);
  must(table.call(ctx, Hypercall.OBJECT_ACTIVATE, cap), "object_activate");
  return cap;
}
