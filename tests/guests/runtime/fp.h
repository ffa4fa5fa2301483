/*
 * Helpers for FP/AdvSIMD guests (compiled with `@guest fp`): bit-exact
 * conversions, FPSR/FPCR access, one-instruction wrappers and a 128-bit
 * vector type printed as two 64-bit halves (high:low).
 */
#ifndef FP_H
#define FP_H
#include "test.h"

typedef unsigned long v2u64 __attribute__((vector_size(16)));

static inline u64 d2u(double d) { union { double d; u64 u; } x = {.d = d}; return x.u; }
static inline double u2d(u64 u) { union { u64 u; double d; } x = {.u = u}; return x.d; }
static inline u32 f2u(float f) { union { float f; u32 u; } x = {.f = f}; return x.u; }
static inline float u2f(u32 u) { union { u32 u; float f; } x = {.u = u}; return x.f; }

static inline void fpsr_clear(void) { WRITE_SYSREG(fpsr, 0UL); }
static inline u32 fpsr_get(void) { return (u32)READ_SYSREG(fpsr); }
static inline void fpcr_set(u64 v) { WRITE_SYSREG(fpcr, v); ISB(); }

/* FPCR fields (Arm ARM D17.2.48). */
#define FPCR_RMODE_RN (0UL << 22)
#define FPCR_RMODE_RP (1UL << 22)
#define FPCR_RMODE_RM (2UL << 22)
#define FPCR_RMODE_RZ (3UL << 22)
#define FPCR_FZ (1UL << 24)
#define FPCR_DN (1UL << 25)

/** Double op on raw bits: r = insn a, b. */
#define D2(insn, a, b) ({ double __r; __asm__ volatile(insn " %d0, %d1, %d2" : "=w"(__r) : "w"(u2d(a)), "w"(u2d(b))); d2u(__r); })
#define D1(insn, a) ({ double __r; __asm__ volatile(insn " %d0, %d1" : "=w"(__r) : "w"(u2d(a))); d2u(__r); })
#define D3(insn, a, b, c) ({ double __r; __asm__ volatile(insn " %d0, %d1, %d2, %d3" : "=w"(__r) : "w"(u2d(a)), "w"(u2d(b)), "w"(u2d(c))); d2u(__r); })
#define S2(insn, a, b) ({ float __r; __asm__ volatile(insn " %s0, %s1, %s2" : "=w"(__r) : "w"(u2f(a)), "w"(u2f(b))); f2u(__r); })
#define S1(insn, a) ({ float __r; __asm__ volatile(insn " %s0, %s1" : "=w"(__r) : "w"(u2f(a))); f2u(__r); })
#define S3(insn, a, b, c) ({ float __r; __asm__ volatile(insn " %s0, %s1, %s2, %s3" : "=w"(__r) : "w"(u2f(a)), "w"(u2f(b)), "w"(u2f(c))); f2u(__r); })

/** Print a vector as high:low halves. */
static inline void show_v(const char *name, v2u64 v) { rt_printf("%s=%016lx:%016lx\n", name, v[1], v[0]); }

/** Interesting doubles: zeros, ones, extremes, denormals, infinities, NaNs (quiet and signalling). */
static const u64 FP64_EDGE[] = {
	0x0000000000000000UL, 0x8000000000000000UL, 0x3ff0000000000000UL, 0xbff0000000000000UL,
	0x3ff8000000000000UL, 0x7fefffffffffffffUL, 0x0010000000000000UL, 0x000fffffffffffffUL,
	0x0000000000000001UL, 0x7ff0000000000000UL, 0xfff0000000000000UL, 0x7ff8000000000000UL,
	0x7ff0000000000001UL, 0x400921fb54442d18UL, 0xc1e0000000000000UL, 0x43e0000000000000UL,
};
#define N_FP64_EDGE (sizeof(FP64_EDGE) / sizeof(FP64_EDGE[0]))

/** Interesting singles. */
static const u32 FP32_EDGE[] = {
	0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x7f7fffff, 0x00800000, 0x007fffff,
	0x00000001, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x40490fdb, 0xcf000000, 0x5f000000,
};
#define N_FP32_EDGE (sizeof(FP32_EDGE) / sizeof(FP32_EDGE[0]))

/** Vector operands: V0 <- VA, V1 <- VB, V2 <- VC before the instruction; V2 printed after. */
static u8 VA[16] __attribute__((aligned(16))) = {0x00, 0x7f, 0x80, 0xff, 0x01, 0xfe, 0x55, 0xaa,
						0x10, 0x20, 0x33, 0xc0, 0x7e, 0x81, 0x02, 0xfd};
static u8 VB[16] __attribute__((aligned(16))) = {0xff, 0x01, 0x80, 0x7f, 0x02, 0x02, 0xaa, 0x55,
						0x0f, 0x30, 0x33, 0x40, 0x80, 0x7f, 0xfe, 0x03};
static u8 VC[16] __attribute__((aligned(16))) = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
						0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00};

/** Run one AdvSIMD instruction (text) on V0/V1/V2 and print V2 (and the FPSR QC bit). */
#define VOP(text) do { u64 __o[2]; WRITE_SYSREG(fpsr, 0UL); \
	__asm__ volatile("ldr q0, [%1]\n\tldr q1, [%2]\n\tldr q2, [%3]\n\t" text "\n\tstr q2, [%0]" \
			 : : "r"(__o), "r"(VA), "r"(VB), "r"(VC) : "v0", "v1", "v2", "memory"); \
	rt_printf("%-28s %016lx:%016lx qc=%lu\n", text, __o[1], __o[0], (READ_SYSREG(fpsr) >> 27) & 1); } while (0)
/** Like VOP but the result is the general register x9. */
#define VOPX(text) do { u64 __o; \
	__asm__ volatile("ldr q0, [%1]\n\tldr q1, [%2]\n\tldr q2, [%3]\n\t" text "\n\tmov %0, x9" \
			 : "=r"(__o) : "r"(VA), "r"(VB), "r"(VC) : "v0", "v1", "v2", "x9", "memory"); \
	rt_printf("%-28s %016lx\n", text, __o); } while (0)

#endif
