/*
 * The bare-metal runtime shared by every gunyah-ts test guest (QEMU `virt`,
 * EL1, MMU off at entry). Guests print deterministic results only: the same
 * binary must produce byte-identical console output under QEMU and gunyah-ts.
 */
#ifndef RT_H
#define RT_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long s64;
typedef unsigned long size_t;

/*
 * QEMU virt memory map (hw/arm/virt.c, base_memmap). A board derived from
 * virt with another map builds the guests with -D overrides (build.ts
 * GuestBoard); the GICR frames must stay within 1 MiB above the GICD.
 */
#ifndef VIRT_GICD_BASE
#define VIRT_GICD_BASE 0x08000000UL
#endif
#ifndef VIRT_GICR_BASE
#define VIRT_GICR_BASE 0x080A0000UL
#endif
#ifndef VIRT_UART_BASE
#define VIRT_UART_BASE 0x09000000UL
#endif
#ifndef VIRT_RAM_BASE
#define VIRT_RAM_BASE 0x40000000UL
#endif

/* GIC INTIDs of the generic timer PPIs (Arm ARM D11.2; QEMU virt wiring). */
#define INTID_CNTV 27
#define INTID_CNTP 30

/* Exception vector kinds (offset / 0x80 in the VBAR_EL1 table). */
#define VEC_CUR_SP0_SYNC 0
#define VEC_CUR_SPX_SYNC 4
#define VEC_CUR_SPX_IRQ 5
#define VEC_LOWER64_SYNC 8
#define VEC_LOWER64_IRQ 9

/* ESR_ELx.EC values (Arm ARM D17.2.37). */
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_FP_ACCESS 0x07
#define EC_ILLEGAL_STATE 0x0e
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SYSREG 0x18
#define EC_IABT_LOWER 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOWER 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_FP_EXC64 0x2c
#define EC_BRK64 0x3c

/** Registers saved by the vector code; handlers may modify them. */
struct rt_frame {
	u64 x[31];
	u64 elr;
	u64 spsr;
	u64 pad;
};

/** A synchronous-exception hook: return 1 if handled (resume with the frame), 0 to fail. */
typedef int (*rt_sync_fn)(struct rt_frame *f, u64 esr, u64 far);
/** An IRQ hook: called with the frame of the interrupted context. */
typedef void (*rt_irq_fn)(struct rt_frame *f);

/* Console (PL011) and formatted output. */
void rt_putc(char c);
void rt_puts(const char *s);
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Print "name=0x<16 hex digits>\n". */
void rt_show(const char *name, u64 value);

/* Power. */
/** PSCI CPU_ON entry point for secondary CPUs: X0 = the CPU's stack top; calls secondary_main(cpu). */
extern char rt_secondary_entry[];
/** Provided by SMP guests; runs on each secondary CPU and must not return. */
void secondary_main(u64 cpu);
/** A PSCI call through HVC #0 (SMCCC: function in X0, arguments X1..X3, result in X0). */
s64 rt_psci(u64 fn, u64 a1, u64 a2, u64 a3);
void rt_init(void);
void rt_exit(void) __attribute__((noreturn));
void rt_fail(const char *why) __attribute__((noreturn));

/* Exceptions. */
void rt_set_sync_handler(rt_sync_fn fn);
void rt_set_irq_handler(rt_irq_fn fn);
/** Print ESR class and ISS, FAR and ELR (as an offset from `base`) in a fixed format. */
void rt_report_fault(const char *tag, u64 esr, u64 far, u64 elr, u64 base);
/** Run `fn(arg)` at EL0 on stack `sp0`; it returns (or makes SVC #0xf00) with a value. */
u64 rt_run_el0(u64 (*fn)(u64), u64 arg, void *sp0);
/** Where an exception handler sends a frame (at EL1h, SPSR 0x3c5) to abandon an EL0 run. */
extern char rt_el0_return[];
/** The SVC immediate the runtime reserves for "leave EL0". */
#define RT_SVC_EL0_EXIT 0xf00

/* Memory. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
/** Zeroed memory from the free area above the image; never freed. */
void *rt_alloc(size_t size, size_t align);
/** A simple FNV-1a hash for printing buffer contents compactly. */
u64 rt_hash(const void *p, size_t n);

/* GICv3 and the generic timer. */
/** This CPU's index (MPIDR_EL1.Aff0; QEMU virt numbers CPUs 0..7 in cluster 0). */
u32 rt_cpu_id(void);
/** Distributor set-up plus this CPU's redistributor and CPU interface. */
void rt_gic_init(void);
/** This CPU's redistributor and CPU interface only (for secondary CPUs). */
void rt_gic_cpu_init(void);
/** Send SGI `intid` to the CPUs whose Aff0 bits are set in `target_list`. */
void rt_gic_send_sgi(u32 intid, u32 target_list);
void rt_gic_enable_ppi(u32 intid, u8 priority);
u32 rt_gic_ack(void);
void rt_gic_eoi(u32 intid);
void rt_gic_send_sgi_self(u32 intid);

/* Stage-1 MMU (mmu.c). */
#define MT_DEVICE 0 /* MAIR index 0: Device-nGnRnE */
#define MT_NORMAL 1 /* MAIR index 1: Normal write-back */
#define MT_NORMAL_NC 2 /* MAIR index 2: Normal non-cacheable */
/* Descriptor permission/attribute options for rt_mmu_map. */
#define PG_RW_EL1 0UL /* AP = 00 */
#define PG_RW_ALL (1UL << 6) /* AP = 01 */
#define PG_RO_EL1 (2UL << 6) /* AP = 10 */
#define PG_RO_ALL (3UL << 6) /* AP = 11 */
#define PG_NO_AF (1UL << 63) /* software flag: leave AF clear */
#define PG_PXN (1UL << 53)
#define PG_UXN (1UL << 54)
#define PG_NG (1UL << 11)

/** One translation regime half (a TTBR's tables) for one granule. */
struct rt_pgtable {
	u32 gshift; /* 12, 14 or 16 */
	u32 va_bits; /* 64 - TnSZ */
	u32 start_level;
	u64 *root;
};
void rt_pgtable_init(struct rt_pgtable *pt, u32 gshift, u32 va_bits);
/** Map [va, va+size) to pa with attribute index and PG_* options; uses blocks when allowed. */
void rt_mmu_map(struct rt_pgtable *pt, u64 va, u64 pa, u64 size, u32 attr, u64 opts);
/** Return a pointer to the leaf descriptor for va (NULL if not mapped). */
u64 *rt_mmu_leaf(struct rt_pgtable *pt, u64 va);
/** Program MAIR/TCR/TTBR0 (and TTBR1 if `hi` is non-NULL) and turn the MMU on. */
void rt_mmu_enable(struct rt_pgtable *lo, struct rt_pgtable *hi);
void rt_mmu_disable(void);
/** Identity-map the UART and the whole guest RAM window into `pt` (RAM as Normal, RWX at EL1). */
void rt_mmu_map_identity(struct rt_pgtable *pt);
void rt_tlbi_all(void);
/**
 * Turn the MMU on with an identity map (RAM as Normal memory). Guests that make
 * unaligned accesses call this first: with the MMU off every data access is to
 * Device memory, where unaligned accesses fault architecturally (QEMU 7.2 does
 * not model that, so such guests would measure a QEMU deviation, not the CPU).
 */
void rt_mmu_identity_on(u32 gshift);

/* Small inline helpers. */
#define READ_SYSREG(r) ({ u64 __v; __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define WRITE_SYSREG(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((u64)(v)))
#define ISB() __asm__ volatile("isb" ::: "memory")
#define DSB() __asm__ volatile("dsb sy" ::: "memory")

static inline void mmio_write32(u64 addr, u32 v) { *(volatile u32 *)addr = v; }
static inline u32 mmio_read32(u64 addr) { return *(volatile u32 *)addr; }
static inline void mmio_write64(u64 addr, u64 v) { *(volatile u64 *)addr = v; }

extern char __heap_start[];
extern char _start[];

#endif
