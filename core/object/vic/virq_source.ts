/**
 * A VIRQ source: something that can be bound to a VIRQ of a vic and asserts
 * it (doorbell, msgqueue send/receive sides, vCPU halt / vcpu_run wakeup,
 * vpm_group, hwirq).
 *
 * HYP models level sources with a "check pending" callback: the VIRQ is
 * asserted on an event, and whenever the guest finishes handling it the
 * vGIC asks the source whether it is still pending (gunyah-abi.md §4.1); a
 * source that was never asserted is not pending, whatever its condition (an
 * idle message queue's send VIRQ is not pending until a receive drops the
 * count to the not-full threshold). Here the same is expressed with the
 * plugin contract's `InterruptController`: an assertion makes the interrupt
 * pending once (`pulse`) and records it (HYP's `level_src` bit); the line is
 * then held high while that assertion stands and the source's
 * {@link VirqSource.checkPending} condition holds, so a level-configured VIRQ
 * stays pending exactly while the condition holds after an assertion, and a
 * re-asserted but undelivered VIRQ stays pending. Once a check finds the
 * condition false the assertion is over, and only a new one raises the line.
 *
 * @module
 */
import { HypError, throwHypError } from "../../abi/error.ts";
import { GIC_PPI_BASE, GIC_SPI_BASE } from "../../abi/gicv3.ts";
import type { VirqInfo } from "../../abi/formats.ts";
import type { Vic } from "./vic.ts";

/** A bindable interrupt source. */
export abstract class VirqSource {
  /** The vic this source is bound to, or `null`. */
  vic: Vic | null = null;
  /** Bound VIRQ number (GIC INTID). */
  virq = 0;
  /** Target vCPU index for a private (PPI) binding. */
  vcpuIndex = 0;
  /** Whether the binding is to a shared (SPI) VIRQ. */
  shared = true;
  /** An assertion stands (HYP's `level_src`): set by {@link assert}, ended by a failed check. */
  #asserted = false;

  /** Whether the source is bound. */
  get bound(): boolean {
    return this.vic !== null;
  }

  /**
   * The source's level: true while the VIRQ should stay pending (HYP's
   * `virq_check_pending` handler for this source type).
   */
  abstract checkPending(): boolean;

  /**
   * Bind to `virq` of `vic` (the caller has looked up the vic with
   * BIND_SOURCE). Already bound → ERROR_VIRQ_BOUND; a VIRQ number outside
   * the vic's SPIs (shared) or PPIs (private), or a vCPU index beyond the
   * vic → ERROR_ARGUMENT_INVALID; a VIRQ already used by another source →
   * ERROR_BUSY.
   */
  bind(vic: Vic, info: VirqInfo | null, shared = true): void {
    if (info === null) throwHypError(HypError.ERROR_ARGUMENT_INVALID, "res0 bits in virq_info");
    if (this.vic !== null) throwHypError(HypError.ERROR_VIRQ_BOUND, "source already bound");
    if (shared) {
      if (info.virq < GIC_SPI_BASE || info.virq >= GIC_SPI_BASE + vic.maxVirqs) {
        throwHypError(
          HypError.ERROR_ARGUMENT_INVALID,
          `VIRQ ${info.virq} is not one of the vic's SPIs`,
        );
      }
    } else {
      if (info.virq < GIC_PPI_BASE || info.virq >= GIC_SPI_BASE) {
        throwHypError(HypError.ERROR_ARGUMENT_INVALID, `VIRQ ${info.virq} is not a PPI`);
      }
      if (info.vcpuIndex >= vic.maxVcpus) {
        throwHypError(
          HypError.ERROR_ARGUMENT_INVALID,
          `vCPU index ${info.vcpuIndex} beyond the vic`,
        );
      }
    }
    vic.claimVirq(this, info.virq, shared ? 0 : info.vcpuIndex, shared);
    this.vic = vic.get();
    this.virq = info.virq;
    this.vcpuIndex = shared ? 0 : info.vcpuIndex;
    this.shared = shared;
    this.#asserted = false;
    this.update();
  }

  /** Unbind (deasserting the line); unbinding an unbound source does nothing. */
  unbind(): void {
    const vic = this.vic;
    if (vic === null) return;
    vic.controller?.setLine(this.virq, false, this.shared ? undefined : this.vcpuIndex);
    this.#asserted = false;
    vic.releaseVirq(this);
    this.vic = null;
    vic.put();
  }

  /**
   * The level the line is driven at: high while an assertion stands and the
   * source is still pending; a check that finds it not pending ends the
   * assertion (HYP clears `level_src` when `virq_check_pending` says false).
   */
  protected lineLevel(): boolean {
    if (this.#asserted && !this.checkPending()) this.#asserted = false;
    return this.#asserted;
  }

  /** Assert: make the VIRQ pending once, then hold the line while the source stays pending. */
  assert(): void {
    const c = this.vic?.controller;
    if (!c) return;
    this.#asserted = true;
    const cpu = this.shared ? undefined : this.vcpuIndex;
    c.pulse(this.virq, cpu);
    c.setLine(this.virq, this.lineLevel(), cpu);
  }

  /**
   * Edge-only assertion: a rising edge on the line, which makes an
   * edge-configured VIRQ pending and leaves a level-configured one at the
   * source's level (HYP `virq_assert(source, edge_only = true)`).
   */
  assertEdge(): void {
    const c = this.vic?.controller;
    if (!c) return;
    const cpu = this.shared ? undefined : this.vcpuIndex;
    c.setLine(this.virq, false, cpu);
    c.setLine(this.virq, true, cpu);
    c.setLine(this.virq, this.lineLevel(), cpu);
  }

  /** Re-evaluate the level ("check pending") and drive the line accordingly. */
  update(): void {
    this.vic?.controller?.setLine(
      this.virq,
      this.lineLevel(),
      this.shared ? undefined : this.vcpuIndex,
    );
  }
}

/**
 * A source whose level is set directly (hwirq lines, and simple event
 * sources): the line follows the level, with no assertion needed.
 */
export class LevelVirqSource extends VirqSource {
  #level = false;

  checkPending(): boolean {
    return this.#level;
  }

  protected override lineLevel(): boolean {
    return this.#level;
  }

  /** Set the level and drive the line. */
  setLevel(level: boolean): void {
    this.#level = level;
    this.update();
  }
}
