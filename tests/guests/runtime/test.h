/*
 * Helpers for guest programs: edge-value tables and inline-assembly wrappers
 * that run exactly one instruction on opaque inputs (so the compiler cannot
 * fold the operation) and capture NZCV.
 */
#ifndef TEST_H
#define TEST_H
#include "rt.h"

/** 64-bit edge values: zero, one, sign boundaries of 32 and 64 bits, all ones, patterns. */
static const u64 EDGE64[] = {
	0x0000000000000000UL, 0x0000000000000001UL, 0x000000007fffffffUL, 0x0000000080000000UL,
	0x00000000ffffffffUL, 0x7fffffffffffffffUL, 0x8000000000000000UL, 0xffffffffffffffffUL,
	0x123456789abcdef0UL, 0xfedcba9876543210UL, 0x00000000fffffffeUL, 0x8000000000000001UL,
};
#define N_EDGE64 (sizeof(EDGE64) / sizeof(EDGE64[0]))

/** Read PSTATE.NZCV as a 4-bit number (N=8, Z=4, C=2, V=1). */
#define NZCV_BITS(v) ((unsigned)((v) >> 28) & 0xf)

/** r = insn a, b (64-bit registers). */
#define X2(insn, a, b) ({ u64 __r; __asm__ volatile(insn " %0, %1, %2" : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b))); __r; })
/** r = insn a, b (32-bit registers). */
#define W2(insn, a, b) ({ u32 __r; __asm__ volatile(insn " %w0, %w1, %w2" : "=r"(__r) : "r"((u32)(a)), "r"((u32)(b))); __r; })
/** r = insn a, b (64-bit) and the resulting NZCV in f. */
#define X2F(insn, a, b, f) ({ u64 __r, __f; __asm__ volatile(insn " %0, %2, %3\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u64)(a)), "r"((u64)(b)) : "cc"); f = NZCV_BITS(__f); __r; })
/** r = insn a, b (32-bit) and NZCV in f. */
#define W2F(insn, a, b, f) ({ u32 __r; u64 __f; __asm__ volatile(insn " %w0, %w2, %w3\n\tmrs %1, nzcv" : "=r"(__r), "=r"(__f) : "r"((u32)(a)), "r"((u32)(b)) : "cc"); f = NZCV_BITS(__f); __r; })
/** r = insn a (64-bit). */
#define X1(insn, a) ({ u64 __r; __asm__ volatile(insn " %0, %1" : "=r"(__r) : "r"((u64)(a))); __r; })
/** r = insn a (32-bit). */
#define W1(insn, a) ({ u32 __r; __asm__ volatile(insn " %w0, %w1" : "=r"(__r) : "r"((u32)(a))); __r; })
/** Set NZCV from a 4-bit number. */
#define SET_NZCV(n) __asm__ volatile("msr nzcv, %0" ::"r"((u64)(n) << 28) : "cc")
/** Read NZCV as a 4-bit number. */
#define GET_NZCV() NZCV_BITS(READ_SYSREG(nzcv))

/** Handler that reports a synchronous exception and skips the faulting instruction. */
static inline int report_and_skip(struct rt_frame *f, u64 esr, u64 far)
{
	rt_report_fault("exception", esr, far, f->elr, (u64)_start);
	f->elr += 4;
	return 1;
}

/** Handler that reports a synchronous exception and returns to the address in x30 (for faulting calls). */
static inline int report_and_return(struct rt_frame *f, u64 esr, u64 far)
{
	rt_report_fault("exception", esr, far, f->elr, (u64)_start);
	f->elr = f->x[30];
	return 1;
}

/** Leave EL0 with a result (for EL0 code that cannot return through rt_el0_exit_stub, e.g. under the MMU). */
#define EL0_EXIT(v) do { register u64 __x0 __asm__("x0") = (v); __asm__ volatile("svc #0xf00" : : "r"(__x0) : "memory"); for (;;) ; } while (0)

#endif
