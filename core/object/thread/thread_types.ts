/**
 * Numbers of the thread/vCPU interface: thread states, vCPU option, power-on
 * and power-off flags, VIRQ types, `vcpu_run` states and flags.
 *
 * Sources (gunyah-abi.md §1.6, §1.7, §3): HYP
 * `hyp/interfaces/thread/thread.tc`, `hyp/interfaces/vcpu/vcpu.tc`,
 * `hyp/interfaces/vcpu/aarch64/vcpu.tc`, `hyp/vm/vcpu/vcpu.tc`,
 * `hyp/interfaces/vcpu_run/vcpu_run.tc`, `hyp/vm/vcpu_run/vcpu_run.tc`.
 *
 * @module
 */

/** `thread_state` (HYP `thread.tc`). */
export enum ThreadState {
  INIT = 0,
  READY = 1,
  KILLED = 2,
  EXITED = 3,
}

/** `thread_kind`: only vCPUs are created through the API. */
export const enum ThreadKind {
  VCPU = 0,
}

/** Highest priority a vCPU may be given (HYP `VCPU_MAX_PRIORITY` = SCHEDULER_MAX_PRIORITY - 1). */
export const VCPU_MAX_PRIORITY = 62;

// --- vcpu_option_flags (HYP vcpu.tc, aarch64/vcpu.tc, vcpu_run.tc) ---------

/** Option bit 0: pin the vCPU to its affinity. */
export const VCPU_OPTION_PINNED = 1n << 0n;
/** Option bit 1: RAS error handler vCPU. */
export const VCPU_OPTION_RAS_ERROR_HANDLER = 1n << 1n;
/** Option bit 2: AMU counting disabled. */
export const VCPU_OPTION_AMU_COUNTING_DISABLED = 1n << 2n;
/** Option bit 3: SVE allowed. */
export const VCPU_OPTION_SVE_ALLOWED = 1n << 3n;
/** Option bit 4: self-hosted debug allowed. */
export const VCPU_OPTION_DEBUG_ALLOWED = 1n << 4n;
/** Option bit 5: trace allowed. */
export const VCPU_OPTION_TRACE_ALLOWED = 1n << 5n;
/** Option bit 8: critical vCPU. */
export const VCPU_OPTION_CRITICAL = 1n << 8n;
/** Option bit 9: proxy scheduled through `vcpu_run` from activation. */
export const VCPU_OPTION_VCPU_RUN_SCHEDULED = 1n << 9n;
/** Option bit 63: the vCPU belongs to the HLOS (primary) VM. */
export const VCPU_OPTION_HLOS_VM = 1n << 63n;
/** Every defined option bit; others make `vcpu_configure` fail with ARGUMENT_INVALID. */
export const VCPU_OPTION_FLAGS_VALID: bigint = VCPU_OPTION_PINNED |
  VCPU_OPTION_RAS_ERROR_HANDLER | VCPU_OPTION_AMU_COUNTING_DISABLED | VCPU_OPTION_SVE_ALLOWED |
  VCPU_OPTION_DEBUG_ALLOWED | VCPU_OPTION_TRACE_ALLOWED | VCPU_OPTION_CRITICAL |
  VCPU_OPTION_VCPU_RUN_SCHEDULED | VCPU_OPTION_HLOS_VM;

// --- vcpu_poweron_flags / vcpu_poweroff_flags ------------------------------

/** Power-on flag bit 0: keep the current entry point (PC). */
export const VCPU_POWERON_PRESERVE_ENTRY_POINT = 1n << 0n;
/** Power-on flag bit 1: keep the current context (X0). */
export const VCPU_POWERON_PRESERVE_CONTEXT = 1n << 1n;
/** Valid power-on flags. */
export const VCPU_POWERON_FLAGS_VALID: bigint = VCPU_POWERON_PRESERVE_ENTRY_POINT |
  VCPU_POWERON_PRESERVE_CONTEXT;
/** Power-off flag bit 0: the caller claims to be the last running vCPU of its vpm_group. */
export const VCPU_POWEROFF_LAST_VCPU = 1n << 0n;
/** Valid power-off flags. */
export const VCPU_POWEROFF_FLAGS_VALID: bigint = VCPU_POWEROFF_LAST_VCPU;

// --- vcpu_virq_type (vcpu_bind_virq) ---------------------------------------

/** `vcpu_virq_type`. */
export enum VcpuVirqType {
  /** Asserted when the vCPU halts (fault, exit). */
  HALT = 0,
  /** Asserted when a blocked proxy-scheduled vCPU becomes runnable. */
  VCPU_RUN_WAKEUP = 1,
}

// --- vcpu_run --------------------------------------------------------------

/** `vcpu_run_state` (gunyah-abi.md §1.7). */
export enum VcpuRunState {
  READY = 0,
  EXPECTS_WAKEUP = 1,
  POWERED_OFF = 2,
  BLOCKED = 3,
  ADDRSPACE_VMMIO_READ = 4,
  ADDRSPACE_VMMIO_WRITE = 5,
  FAULT = 6,
  PSCI_SYSTEM_RESET = 0x100,
}

/** `vcpu_run_poweroff_flags` bit 0: the vCPU exited and cannot run until the VM is reset. */
export const VCPU_RUN_POWEROFF_EXITED = 1n;

/** `vcpu_run_wakeup_from_state` (state_data_1 of EXPECTS_WAKEUP). */
export enum VcpuRunWakeupFrom {
  UNSPECIFIED = 0,
  WFI = 1,
  PSCI_CPU_SUSPEND = 2,
  PSCI_SYSTEM_SUSPEND = 3,
}

/** PSCI_SYSTEM_RESET state_data_0 bit 63: a SYSTEM_RESET (not a SYSTEM_RESET2). */
export const VCPU_RUN_RESET_SYSTEM_RESET = 1n << 63n;
/** PSCI_SYSTEM_RESET state_data_0 bit 62: an SMC64 SYSTEM_RESET2. */
export const VCPU_RUN_RESET_SMC64 = 1n << 62n;
