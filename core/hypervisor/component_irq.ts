/**
 * The interrupt controller behind a native component's vic: VIRQs bound to
 * the component (doorbells, message queues, vCPU wakeups) are queued here
 * and the hypervisor hands them to `Component.onVirq` between rounds.
 *
 * Delivery is per assertion: a pulse, or a rising edge of a level line,
 * queues the VIRQ once (a VIRQ already queued is not queued twice, as a
 * pending GIC interrupt is not made "more pending"). A level that stays high
 * does not re-deliver: a component drains its source (e.g. reads the message
 * queue until empty) when told, exactly as a guest's handler would.
 *
 * @example
 * ```ts
 * const irq = new ComponentInterruptController(988, () => {});
 * irq.setLine(40, true);
 * irq.takePending(); // [40]
 * ```
 *
 * @module
 */
import type { InterruptController } from "../plugin/contracts.ts";
import { GIC_SPI_BASE, GIC_SPI_NUM } from "../abi/gicv3.ts";

/** A component's interrupt controller. */
export class ComponentInterruptController implements InterruptController {
  readonly spiCount: number;
  readonly #levels = new Set<number>();
  readonly #queue: number[] = [];
  readonly #queued = new Set<number>();

  /**
   * A controller with `spiCount` SPIs.
   *
   * @param spiCount SPIs implemented (INTIDs 32 .. 32 + spiCount - 1); at most GIC_SPI_NUM (988).
   * @param onPending called whenever a VIRQ is queued (the hypervisor wakes its run loop).
   */
  constructor(spiCount: number = GIC_SPI_NUM, readonly onPending: () => void = () => {}) {
    if (!Number.isInteger(spiCount) || spiCount < 0 || spiCount > GIC_SPI_NUM) {
      throw new RangeError(`spiCount must be 0..${GIC_SPI_NUM}, got ${spiCount}`);
    }
    this.spiCount = spiCount;
  }

  setLine(virq: number, level: boolean): void {
    this.#check(virq);
    const was = this.#levels.has(virq);
    if (level) this.#levels.add(virq);
    else this.#levels.delete(virq);
    if (level && !was) this.#enqueue(virq);
  }

  pulse(virq: number): void {
    this.#check(virq);
    this.#enqueue(virq);
  }

  /** Whether a VIRQ waits for delivery (there is one "vCPU", index 0). */
  hasPending(_vcpuIndex = 0): boolean {
    return this.#queue.length > 0;
  }

  /** Whether the level of `virq` is high. */
  level(virq: number): boolean {
    return this.#levels.has(virq);
  }

  /** Remove and return the queued VIRQs in assertion order. */
  takePending(): number[] {
    const out = this.#queue.splice(0);
    this.#queued.clear();
    return out;
  }

  #enqueue(virq: number): void {
    if (this.#queued.has(virq)) return;
    this.#queued.add(virq);
    this.#queue.push(virq);
    this.onPending();
  }

  #check(virq: number): void {
    if (!Number.isInteger(virq) || virq < 16 || virq >= GIC_SPI_BASE + this.spiCount) {
      throw new RangeError(
        `VIRQ ${virq} is not a PPI or one of this controller's ${this.spiCount} SPIs`,
      );
    }
  }
}
