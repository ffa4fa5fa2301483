/**
 * The hwirq object: a physical interrupt line handed to a VM. Created only
 * at boot (HYP `hyp/core/irq/build.conf`: `no_partition_create_hypcall`),
 * bound to a vic VIRQ with hwirq_bind_virq (0x26). The platform drives the
 * line with {@link Hwirq.setLevel}; the bound VIRQ follows it.
 *
 * @module
 */
import { GunyahObject } from "../object.ts";
import { ObjectState, ObjectType } from "../object_type.ts";
import type { Partition } from "../partition/partition.ts";
import { LevelVirqSource } from "../vic/virq_source.ts";

/** A hardware interrupt. */
export class Hwirq extends GunyahObject {
  readonly type = ObjectType.HWIRQ;
  /** The physical interrupt number (GIC INTID of the host platform). */
  readonly irq: number;
  readonly source: LevelVirqSource = new LevelVirqSource();

  /** Create the hwirq for `irq` (boot only); it is ACTIVE from creation. */
  constructor(partition: Partition, irq: number) {
    super(partition);
    this.irq = irq;
    this.state = ObjectState.ACTIVE;
  }

  protected override onDeactivate(): void {
    this.source.unbind();
  }

  /** Drive the physical line (level-sensitive). */
  setLevel(level: boolean): void {
    this.source.setLevel(level);
  }
}
