/**
 * The system registers reachable with MRS/MSR at EL1 and EL0: one table
 * entry per register with its read and write semantics and its EL0 access
 * rule. Registers not in the table are UNDEFINED, except the ICC_* registers
 * (delegated to the GIC CPU interface on `cpu.gic`) and the reserved part of
 * the ID register space (op0=3, op1=0, CRn=0, CRm=1..7), which reads as zero.
 *
 * Register encodings and semantics: DDI 0487, D17 ("AArch64 System Register
 * Descriptions") and D11 (Generic Timer). The ID register values are in
 * ./id_registers.ts, the timer in ./timer.ts.
 *
 * @module
 */
import { MPIDR_RES1 } from "@gunyah-ts/core/abi";
import { DAIF_A, DAIF_D, DAIF_F, DAIF_I } from "../cpu/state.ts";
import { ICC_PMR_EL1 } from "../gic/icc_sysregs.ts";
import {
  ccsidrFor,
  CLIDR_VALUE,
  CTR_VALUE,
  DCZID_BS,
  DCZID_DZP,
  DEBUG_BREAKPOINTS,
  DEBUG_WATCHPOINTS,
  ID_AA64DFR0_VALUE,
  ID_AA64ISAR0_VALUE,
  ID_AA64ISAR1_VALUE,
  ID_AA64MMFR1_HI,
  ID_AA64MMFR1_VALUE,
  ID_AA64MMFR2_VALUE,
  ID_AA64PFR0_HI,
  ID_AA64PFR0_VALUE,
  ID_AA64PFR1_VALUE,
  idAa64Mmfr0,
  MIDR_VALUE,
  REVIDR_VALUE,
} from "./id_registers.ts";
import { SCTLR_DZE, SCTLR_RES1, SCTLR_UCT, SCTLR_UMA } from "./registers.ts";
import { sysregKey } from "./sysreg_key.ts";
import { updateDebugState } from "./debug.ts";
import type { SystemCpu } from "./system_cpu.ts";
import { TimerId } from "./timer.ts";
import { setElAndSpsel } from "./exception.ts";

/** EL0 access outcome: permitted. */
export const EL0_OK = 0;
/** EL0 access outcome: UNDEFINED (EC 0x00), the register does not exist for EL0. */
export const EL0_UNDEFINED = 1;
/** EL0 access outcome: trapped to EL1 by an EL1 control (EC 0x18). */
export const EL0_TRAP = 2;

/** Reads a register: returns bits 31:0 and leaves bits 63:32 in `cpu.sys.readHi`. */
export type SysregRead = (cpu: SystemCpu) => number;
/** Writes a register from its two halves. */
export type SysregWrite = (cpu: SystemCpu, lo: number, hi: number) => void;
/** Decides an EL0 access (EL0_OK / EL0_UNDEFINED / EL0_TRAP). */
export type El0Rule = (cpu: SystemCpu, write: boolean) => number;

/** One system register. */
export interface SysregDef {
  /** Architectural name, e.g. `"SCTLR_EL1"`. */
  readonly name: string;
  /** Encoding key (see sysreg_key.ts). */
  readonly key: number;
  /** Read semantics, or null for a write-only register (MRS is UNDEFINED). */
  readonly read: SysregRead | null;
  /** Write semantics, or null for a read-only register (MSR is UNDEFINED). */
  readonly write: SysregWrite | null;
  /** EL0 rule, or null when the register is EL1-only (EL0 access UNDEFINED). */
  readonly el0: El0Rule | null;
  /** Subject to the CPACR_EL1.FPEN trap (FPCR, FPSR). */
  readonly fp: boolean;
}

/** Dense table: key -> definition, or null. */
export const SYSREG_TABLE: (SysregDef | null)[] = new Array<SysregDef | null>(1 << 16).fill(null);

function def(
  name: string,
  enc: readonly [number, number, number, number, number],
  read: SysregRead | null,
  write: SysregWrite | null,
  el0: El0Rule | null = null,
  fp = false,
): void {
  const key = sysregKey(enc[0], enc[1], enc[2], enc[3], enc[4]);
  if (SYSREG_TABLE[key] !== null) throw new Error(`system register ${name} defined twice`);
  SYSREG_TABLE[key] = { name, key, read, write, el0, fp };
}

/** Read-only 32-bit constant. */
function constant(value: number): SysregRead {
  return (cpu) => {
    cpu.sys.readHi = 0;
    return value >>> 0;
  };
}

/** Read-only 64-bit constant. */
function constant64(lo: number, hi: number): SysregRead {
  return (cpu) => {
    cpu.sys.readHi = hi >>> 0;
    return lo >>> 0;
  };
}

const el0Always: El0Rule = () => EL0_OK;
const el0ReadOnly: El0Rule = (_cpu, write) => (write ? EL0_UNDEFINED : EL0_OK);
const el0Uct: El0Rule = (cpu, write) =>
  write ? EL0_UNDEFINED : (cpu.sys.sctlr & SCTLR_UCT) !== 0 ? EL0_OK : EL0_TRAP;
const el0Uma: El0Rule = (cpu) => ((cpu.sys.sctlr & SCTLR_UMA) !== 0 ? EL0_OK : EL0_TRAP);

/** CNTKCTL_EL1 bits (DDI 0487 D17.8.x CNTKCTL_EL1). */
const CNTKCTL_EL0PCTEN = 1 << 0;
const CNTKCTL_EL0VCTEN = 1 << 1;
const CNTKCTL_EL0VTEN = 1 << 8;
const CNTKCTL_EL0PTEN = 1 << 9;
function el0Cntkctl(mask: number): El0Rule {
  return (cpu, write) =>
    write && mask !== CNTKCTL_EL0VTEN && mask !== CNTKCTL_EL0PTEN
      ? EL0_UNDEFINED
      : (cpu.sys.timer.cntkctl & mask) !== 0
      ? EL0_OK
      : EL0_TRAP;
}
/** MDSCR_EL1.TDCC (bit 12): EL0 access to the DCC registers traps. */
const MDSCR_TDCC = 1 << 12;
const el0Dcc: El0Rule = (cpu) => ((cpu.sys.mdscr & MDSCR_TDCC) === 0 ? EL0_OK : EL0_TRAP);

function hi0(cpu: SystemCpu, lo: number): number {
  cpu.sys.readHi = 0;
  return lo >>> 0;
}

/** Write side effects of the translation-control registers. */
function translationChanged(cpu: SystemCpu, flush: boolean): void {
  if (flush) cpu.sys.tlb.flushAll();
  cpu.sys.updateAsid();
  cpu.invalidateFetch();
}

// --- Identification --------------------------------------------------------
def("MIDR_EL1", [3, 0, 0, 0, 0], constant(MIDR_VALUE), null);
def("MPIDR_EL1", [3, 0, 0, 0, 5], (cpu) => {
  const m = cpu.sys.mpidr;
  cpu.sys.readHi = Math.floor(m / 0x100000000) & 0xff; // Aff3
  return (MPIDR_RES1 | (m & 0x00ffffff)) >>> 0;
}, null);
def("REVIDR_EL1", [3, 0, 0, 0, 6], constant(REVIDR_VALUE), null);
def("ID_AA64PFR0_EL1", [3, 0, 0, 4, 0], constant64(ID_AA64PFR0_VALUE, ID_AA64PFR0_HI), null);
def("ID_AA64PFR1_EL1", [3, 0, 0, 4, 1], constant(ID_AA64PFR1_VALUE), null);
def("ID_AA64DFR0_EL1", [3, 0, 0, 5, 0], constant(ID_AA64DFR0_VALUE), null);
def("ID_AA64ISAR0_EL1", [3, 0, 0, 6, 0], constant(ID_AA64ISAR0_VALUE), null);
def("ID_AA64ISAR1_EL1", [3, 0, 0, 6, 1], constant(ID_AA64ISAR1_VALUE), null);
def("ID_AA64MMFR0_EL1", [3, 0, 0, 7, 0], (cpu) => hi0(cpu, idAa64Mmfr0(cpu.sys.ipaBits)), null);
def("ID_AA64MMFR1_EL1", [3, 0, 0, 7, 1], constant64(ID_AA64MMFR1_VALUE, ID_AA64MMFR1_HI), null);
def("ID_AA64MMFR2_EL1", [3, 0, 0, 7, 2], constant(ID_AA64MMFR2_VALUE), null);
def("CCSIDR_EL1", [3, 1, 0, 0, 0], (cpu) => hi0(cpu, ccsidrFor(cpu.sys.csselr)), null);
def("CLIDR_EL1", [3, 1, 0, 0, 1], constant(CLIDR_VALUE), null);
def("AIDR_EL1", [3, 1, 0, 0, 7], constant(0), null);
def("CSSELR_EL1", [3, 2, 0, 0, 0], (cpu) => hi0(cpu, cpu.sys.csselr), (cpu, lo) => {
  cpu.sys.csselr = lo & 0xf; // Level 3:1, InD 0
});
def("CTR_EL0", [3, 3, 0, 0, 1], constant(CTR_VALUE), null, el0Uct);
def(
  "DCZID_EL0",
  [3, 3, 0, 0, 7],
  (cpu) => {
    // DZP reads 1 where DC ZVA is not permitted: at EL0 with SCTLR_EL1.DZE clear.
    const dzp = cpu.el === 0 && (cpu.sys.sctlr & SCTLR_DZE) === 0 ? DCZID_DZP : 0;
    return hi0(cpu, DCZID_BS | dzp);
  },
  null,
  el0ReadOnly,
);

// --- Memory-system and exception control -----------------------------------
def("SCTLR_EL1", [3, 0, 1, 0, 0], (cpu) => hi0(cpu, cpu.sys.sctlr), (cpu, lo) => {
  // Big-endian (EE, E0E) is not implemented: those bits are RES0 here.
  cpu.sys.sctlr = ((lo & ~(3 << 24)) | SCTLR_RES1) >>> 0;
  translationChanged(cpu, true);
});
def("ACTLR_EL1", [3, 0, 1, 0, 1], (cpu) => {
  cpu.sys.readHi = cpu.sys.actlrHi;
  return cpu.sys.actlrLo;
}, (cpu, lo, hi) => {
  cpu.sys.actlrLo = lo >>> 0;
  cpu.sys.actlrHi = hi >>> 0;
});
def("CPACR_EL1", [3, 0, 1, 0, 2], (cpu) => hi0(cpu, cpu.sys.cpacr), (cpu, lo) => {
  cpu.sys.setCpacr(lo);
});
def("TTBR0_EL1", [3, 0, 2, 0, 0], (cpu) => {
  cpu.sys.readHi = cpu.sys.ttbr0Hi;
  return cpu.sys.ttbr0Lo;
}, (cpu, lo, hi) => {
  cpu.sys.ttbr0Lo = lo >>> 0;
  cpu.sys.ttbr0Hi = hi >>> 0;
  translationChanged(cpu, false);
});
def("TTBR1_EL1", [3, 0, 2, 0, 1], (cpu) => {
  cpu.sys.readHi = cpu.sys.ttbr1Hi;
  return cpu.sys.ttbr1Lo;
}, (cpu, lo, hi) => {
  cpu.sys.ttbr1Lo = lo >>> 0;
  cpu.sys.ttbr1Hi = hi >>> 0;
  translationChanged(cpu, false);
});
def("TCR_EL1", [3, 0, 2, 0, 2], (cpu) => {
  cpu.sys.readHi = cpu.sys.tcrHi;
  return cpu.sys.tcrLo;
}, (cpu, lo, hi) => {
  cpu.sys.tcrLo = lo >>> 0;
  // Bits 63:39 hold features not implemented here (HA, HD, HPD, ...): RES0.
  cpu.sys.tcrHi = hi & 0x7f;
  translationChanged(cpu, true);
});
def("MAIR_EL1", [3, 0, 10, 2, 0], (cpu) => {
  cpu.sys.readHi = cpu.sys.mairHi;
  return cpu.sys.mairLo;
}, (cpu, lo, hi) => {
  cpu.sys.mairLo = lo >>> 0;
  cpu.sys.mairHi = hi >>> 0;
  translationChanged(cpu, true);
});
def("AMAIR_EL1", [3, 0, 10, 3, 0], (cpu) => {
  cpu.sys.readHi = cpu.sys.amairHi;
  return cpu.sys.amairLo;
}, (cpu, lo, hi) => {
  cpu.sys.amairLo = lo >>> 0;
  cpu.sys.amairHi = hi >>> 0;
});
def("CONTEXTIDR_EL1", [3, 0, 13, 0, 1], (cpu) => hi0(cpu, cpu.sys.contextidr), (cpu, lo) => {
  cpu.sys.contextidr = lo >>> 0;
});
def("PAR_EL1", [3, 0, 7, 4, 0], (cpu) => {
  cpu.sys.readHi = cpu.sys.parHi;
  return cpu.sys.parLo;
}, (cpu, lo, hi) => {
  cpu.sys.parLo = lo >>> 0;
  cpu.sys.parHi = hi >>> 0;
});
def("VBAR_EL1", [3, 0, 12, 0, 0], (cpu) => {
  cpu.sys.readHi = cpu.sys.vbarHi;
  return cpu.sys.vbarLo;
}, (cpu, lo, hi) => {
  cpu.sys.vbarLo = (lo & ~0x7ff) >>> 0; // bits 10:0 RES0
  cpu.sys.vbarHi = hi >>> 0;
});
def("RVBAR_EL1", [3, 0, 12, 0, 1], constant(0), null);
def("ISR_EL1", [3, 0, 12, 1, 0], (cpu) => {
  // I (bit 7) and F (bit 6) pending; A (bit 8) never (no SError source).
  return hi0(cpu, (cpu.irqLine ? DAIF_I : 0) | (cpu.fiqLine ? DAIF_F : 0));
}, null);
def("ELR_EL1", [3, 0, 4, 0, 1], (cpu) => {
  cpu.sys.readHi = cpu.sys.elrHi;
  return cpu.sys.elrLo;
}, (cpu, lo, hi) => {
  cpu.sys.elrLo = lo >>> 0;
  cpu.sys.elrHi = hi >>> 0;
});
def("SPSR_EL1", [3, 0, 4, 0, 0], (cpu) => hi0(cpu, cpu.sys.spsr), (cpu, lo) => {
  cpu.sys.spsr = lo >>> 0;
});
def("ESR_EL1", [3, 0, 5, 2, 0], (cpu) => hi0(cpu, cpu.sys.esr), (cpu, lo) => {
  cpu.sys.esr = lo >>> 0;
});
def("FAR_EL1", [3, 0, 6, 0, 0], (cpu) => {
  cpu.sys.readHi = cpu.sys.farHi;
  return cpu.sys.farLo;
}, (cpu, lo, hi) => {
  cpu.sys.farLo = lo >>> 0;
  cpu.sys.farHi = hi >>> 0;
});
def("AFSR0_EL1", [3, 0, 5, 1, 0], (cpu) => hi0(cpu, cpu.sys.afsr0), (cpu, lo) => {
  cpu.sys.afsr0 = lo >>> 0;
});
def("AFSR1_EL1", [3, 0, 5, 1, 1], (cpu) => hi0(cpu, cpu.sys.afsr1), (cpu, lo) => {
  cpu.sys.afsr1 = lo >>> 0;
});

// --- Thread ID -------------------------------------------------------------
def("TPIDR_EL0", [3, 3, 13, 0, 2], (cpu) => {
  cpu.sys.readHi = cpu.sys.tpidrEl0Hi;
  return cpu.sys.tpidrEl0Lo;
}, (cpu, lo, hi) => {
  cpu.sys.tpidrEl0Lo = lo >>> 0;
  cpu.sys.tpidrEl0Hi = hi >>> 0;
}, el0Always);
def("TPIDRRO_EL0", [3, 3, 13, 0, 3], (cpu) => {
  cpu.sys.readHi = cpu.sys.tpidrroEl0Hi;
  return cpu.sys.tpidrroEl0Lo;
}, (cpu, lo, hi) => {
  cpu.sys.tpidrroEl0Lo = lo >>> 0;
  cpu.sys.tpidrroEl0Hi = hi >>> 0;
}, el0ReadOnly);
def("TPIDR_EL1", [3, 0, 13, 0, 4], (cpu) => {
  cpu.sys.readHi = cpu.sys.tpidrEl1Hi;
  return cpu.sys.tpidrEl1Lo;
}, (cpu, lo, hi) => {
  cpu.sys.tpidrEl1Lo = lo >>> 0;
  cpu.sys.tpidrEl1Hi = hi >>> 0;
});

// --- PSTATE and special-purpose registers ---------------------------------
def("NZCV", [3, 3, 4, 2, 0], (cpu) => hi0(cpu, cpu.nzcv & 0xf0000000), (cpu, lo) => {
  cpu.nzcv = (lo & 0xf0000000) >>> 0;
}, el0Always);
def("DAIF", [3, 3, 4, 2, 1], (cpu) => hi0(cpu, cpu.daif), (cpu, lo) => {
  cpu.daif = lo & (DAIF_D | DAIF_A | DAIF_I | DAIF_F);
}, el0Uma);
def("CurrentEL", [3, 0, 4, 2, 2], (cpu) => hi0(cpu, cpu.el << 2), null);
def("SPSel", [3, 0, 4, 2, 0], (cpu) => hi0(cpu, cpu.spsel), (cpu, lo) => {
  setElAndSpsel(cpu, cpu.el, lo & 1);
});
/** SP_EL0 from EL1: only while SP_EL1 is selected (else the access is UNDEFINED, handled below). */
def("SP_EL0", [3, 0, 4, 1, 0], (cpu) => {
  cpu.sys.readHi = cpu.otherSpHi >>> 0;
  return cpu.otherSpLo >>> 0;
}, (cpu, lo, hi) => {
  cpu.otherSpLo = lo >>> 0;
  cpu.otherSpHi = hi >>> 0;
});
def(
  "FPCR",
  [3, 3, 4, 4, 0],
  (cpu) => hi0(cpu, cpu.fpcr),
  (cpu, lo) => {
    // AHP 26, DN 25, FZ 24, RMode 23:22; trap enables are RAZ/WI (no FP exception traps).
    cpu.fpcr = lo & 0x07c0_0000;
  },
  el0Always,
  true,
);
def(
  "FPSR",
  [3, 3, 4, 4, 1],
  (cpu) => hi0(cpu, cpu.fpsr),
  (cpu, lo) => {
    // QC 27, IDC 7, IXC 4, UFC 3, OFC 2, DZC 1, IOC 0.
    cpu.fpsr = lo & 0x0800_009f;
  },
  el0Always,
  true,
);

// --- Generic timer -----------------------------------------------------------
def("CNTKCTL_EL1", [3, 0, 14, 1, 0], (cpu) => hi0(cpu, cpu.sys.timer.cntkctl), (cpu, lo) => {
  cpu.sys.timer.cntkctl = lo & 0x3ff;
});
def("CNTFRQ_EL0", [3, 3, 14, 0, 0], (cpu) => hi0(cpu, cpu.sys.cntfrq), (cpu, lo) => {
  // Writable at the highest implemented EL, which EL1 is as far as the guest sees.
  cpu.sys.cntfrq = lo >>> 0;
}, el0Cntkctl(CNTKCTL_EL0PCTEN | CNTKCTL_EL0VCTEN));
const readCount: SysregRead = (cpu) => {
  const t = cpu.sys.timer;
  const lo = t.readCounter(cpu.retiredTotal);
  cpu.sys.readHi = t.countHi;
  return lo;
};
def("CNTPCT_EL0", [3, 3, 14, 0, 1], readCount, null, el0Cntkctl(CNTKCTL_EL0PCTEN));
def("CNTVCT_EL0", [3, 3, 14, 0, 2], readCount, null, el0Cntkctl(CNTKCTL_EL0VCTEN));
for (
  const [prefix, crm, id, el0bit] of [
    ["CNTP", 2, TimerId.Physical, CNTKCTL_EL0PTEN],
    ["CNTV", 3, TimerId.Virtual, CNTKCTL_EL0VTEN],
  ] as const
) {
  const rule = el0Cntkctl(el0bit);
  def(
    `${prefix}_TVAL_EL0`,
    [3, 3, 14, crm, 0],
    (cpu) => {
      return hi0(cpu, cpu.sys.timer.readTval(id, cpu.retiredTotal));
    },
    (cpu, lo) => cpu.sys.timer.writeTval(id, lo, cpu.retiredTotal),
    rule,
  );
  def(
    `${prefix}_CTL_EL0`,
    [3, 3, 14, crm, 1],
    (cpu) => {
      return hi0(cpu, cpu.sys.timer.readCtl(id, cpu.retiredTotal));
    },
    (cpu, lo) => cpu.sys.timer.writeCtl(id, lo, cpu.retiredTotal),
    rule,
  );
  def(
    `${prefix}_CVAL_EL0`,
    [3, 3, 14, crm, 2],
    (cpu) => {
      cpu.sys.readHi = cpu.sys.timer.cvalHi[id];
      return cpu.sys.timer.cvalLo[id];
    },
    (cpu, lo, hi) => cpu.sys.timer.writeCval(id, lo >>> 0, hi >>> 0, cpu.retiredTotal),
    rule,
  );
}

// --- Debug (sys/debug.ts generates the events these registers arm) ---
def("MDSCR_EL1", [2, 0, 0, 2, 2], (cpu) => hi0(cpu, cpu.sys.mdscr), (cpu, lo) => {
  cpu.sys.mdscr = lo >>> 0;
  updateDebugState(cpu);
});
def("MDCCINT_EL1", [2, 0, 0, 2, 0], (cpu) => hi0(cpu, cpu.sys.mdccint), (cpu, lo) => {
  cpu.sys.mdccint = lo >>> 0;
});
def("MDRAR_EL1", [2, 0, 1, 0, 0], constant(0), null);
def("OSLAR_EL1", [2, 0, 1, 0, 4], null, (cpu, lo) => {
  cpu.sys.osLock = lo & 1;
});
/** OSLSR_EL1: OSLM = 0b10 (bits 3 and 0: OS lock implemented), OSLK bit 1. */
def("OSLSR_EL1", [2, 0, 1, 1, 4], (cpu) => hi0(cpu, 0b1000 | (cpu.sys.osLock << 1)), null);
def("OSDLR_EL1", [2, 0, 1, 3, 4], (cpu) => hi0(cpu, cpu.sys.osdlr), (cpu, lo) => {
  cpu.sys.osdlr = lo & 1;
});
def("DBGPRCR_EL1", [2, 0, 1, 4, 4], constant(0), () => {});
def("DBGCLAIMSET_EL1", [2, 0, 7, 8, 6], constant(0xff), (cpu, lo) => {
  cpu.sys.dbgclaim |= lo & 0xff;
});
def("DBGCLAIMCLR_EL1", [2, 0, 7, 9, 6], (cpu) => hi0(cpu, cpu.sys.dbgclaim), (cpu, lo) => {
  cpu.sys.dbgclaim &= ~lo & 0xff;
});
/** DBGAUTHSTATUS_EL1: non-secure invasive and non-invasive debug implemented and enabled. */
def("DBGAUTHSTATUS_EL1", [2, 0, 7, 14, 6], constant(0x0f), null);
/** MDCCSR_EL0: no DCC data pending in either direction. */
def("MDCCSR_EL0", [2, 3, 0, 1, 0], constant(0), null, el0Dcc);
def("DBGDTR_EL0", [2, 3, 0, 4, 0], constant(0), () => {}, el0Dcc);
/** DBGDTRRX_EL0 (read) and DBGDTRTX_EL0 (write) share one encoding; no debugger is attached. */
def("DBGDTRRX_EL0/DBGDTRTX_EL0", [2, 3, 0, 5, 0], constant(0), () => {}, el0Dcc);
for (let n = 0; n < DEBUG_BREAKPOINTS; n++) {
  def(`DBGBVR${n}_EL1`, [2, 0, 0, n, 4], (cpu) => {
    cpu.sys.readHi = cpu.sys.dbgbvr[2 * n + 1];
    return cpu.sys.dbgbvr[2 * n];
  }, (cpu, lo, hi) => {
    cpu.sys.dbgbvr[2 * n] = lo;
    cpu.sys.dbgbvr[2 * n + 1] = hi;
    updateDebugState(cpu);
  });
  def(`DBGBCR${n}_EL1`, [2, 0, 0, n, 5], (cpu) => hi0(cpu, cpu.sys.dbgbcr[n]), (cpu, lo) => {
    cpu.sys.dbgbcr[n] = lo;
    updateDebugState(cpu);
  });
}
for (let n = 0; n < DEBUG_WATCHPOINTS; n++) {
  def(`DBGWVR${n}_EL1`, [2, 0, 0, n, 6], (cpu) => {
    cpu.sys.readHi = cpu.sys.dbgwvr[2 * n + 1];
    return cpu.sys.dbgwvr[2 * n];
  }, (cpu, lo, hi) => {
    cpu.sys.dbgwvr[2 * n] = lo;
    cpu.sys.dbgwvr[2 * n + 1] = hi;
    updateDebugState(cpu);
  });
  def(`DBGWCR${n}_EL1`, [2, 0, 0, n, 7], (cpu) => hi0(cpu, cpu.sys.dbgwcr[n]), (cpu, lo) => {
    cpu.sys.dbgwcr[n] = lo;
    updateDebugState(cpu);
  });
}

/** Whether `key` names a GIC CPU interface register (op0=3, op1=0, CRn=12, or ICC_PMR_EL1). */
export function isGicKey(key: number): boolean {
  return (key & 0xff80) === sysregKey(3, 0, 12, 0, 0) || key === ICC_PMR_EL1;
}

/** Whether `key` lies in the reserved ID register space (op0=3, op1=0, CRn=0, CRm=1..7): RAZ. */
export function isReservedIdKey(key: number): boolean {
  return (key & 0xff80) === sysregKey(3, 0, 0, 0, 0) && ((key >>> 3) & 15) >= 1 &&
    ((key >>> 3) & 15) <= 7;
}

/** Whether SP_EL0 may be accessed with MRS/MSR now (EL1 with SP_EL1 selected). */
export function spEl0Accessible(cpu: SystemCpu): boolean {
  return cpu.el === 1 && cpu.spsel === 1;
}

/** The key of SP_EL0 (special-cased by the MRS/MSR handlers). */
export const SP_EL0_KEY: number = sysregKey(3, 0, 4, 1, 0);
