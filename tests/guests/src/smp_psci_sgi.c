/* @guest smp=2 */
/*
 * Two CPUs: PSCI CPU_ON/AFFINITY_INFO/CPU_OFF, an LDXR/STXR counter both CPUs
 * increment (the global exclusive monitor), and an SGI from CPU 0 to CPU 1
 * waking it from WFI. Only schedule-independent results are printed.
 */
#include "test.h"

#define PSCI_CPU_OFF 0x84000002UL
#define PSCI_CPU_ON 0xc4000003UL
#define PSCI_AFFINITY_INFO 0xc4000004UL
#define ROUNDS 1000
#define SGI_WAKE 5

static volatile u64 counter;
static volatile u32 alive, done1, sgi_cpu, cpu1_mpidr_aff0;
static u64 stack1[1024] __attribute__((aligned(16)));

static void atomic_inc(volatile u64 *p)
{
	u64 v;
	u32 fail;
	do {
		__asm__ volatile("ldxr %0, [%2]\n\tadd %0, %0, #1\n\tstxr %w1, %0, [%2]"
				 : "=&r"(v), "=&r"(fail) : "r"(p) : "memory");
	} while (fail);
}

static void on_irq(struct rt_frame *f)
{
	(void)f;
	u32 id = rt_gic_ack();
	if (id == SGI_WAKE)
		sgi_cpu = rt_cpu_id() + 1;
	rt_gic_eoi(id);
}

void secondary_main(u64 cpu)
{
	cpu1_mpidr_aff0 = (u32)cpu;
	rt_gic_cpu_init();
	rt_gic_enable_ppi(SGI_WAKE, 0x40);
	alive = 1;
	for (int i = 0; i < ROUNDS; i++)
		atomic_inc(&counter);
	__asm__ volatile("dmb ish" ::: "memory");
	done1 = 1;
	__asm__ volatile("msr daifclr, #2");
	while (!sgi_cpu)
		__asm__ volatile("wfi");
	__asm__ volatile("msr daifset, #2");
	rt_psci(PSCI_CPU_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

int main(void)
{
	rt_gic_init();
	rt_set_irq_handler(on_irq);
	rt_printf("AFFINITY_INFO(1) before=%ld\n", rt_psci(PSCI_AFFINITY_INFO, 1, 0, 0));
	rt_printf("CPU_ON(1)=%ld\n", rt_psci(PSCI_CPU_ON, 1, (u64)rt_secondary_entry, (u64)(stack1 + 1024)));
	while (!alive)
		;
	rt_printf("cpu1 alive, Aff0=%u\n", cpu1_mpidr_aff0);
	rt_printf("CPU_ON(1) again=%ld AFFINITY_INFO(1)=%ld\n",
		  rt_psci(PSCI_CPU_ON, 1, (u64)rt_secondary_entry, (u64)(stack1 + 1024)),
		  rt_psci(PSCI_AFFINITY_INFO, 1, 0, 0));
	for (int i = 0; i < ROUNDS; i++)
		atomic_inc(&counter);
	while (!done1)
		;
	rt_printf("counter=%lu (expected %u)\n", counter, 2 * ROUNDS);
	rt_gic_send_sgi(SGI_WAKE, 1u << 1);
	while (!sgi_cpu)
		;
	rt_printf("SGI %u taken on cpu %u\n", SGI_WAKE, sgi_cpu - 1);
	while (rt_psci(PSCI_AFFINITY_INFO, 1, 0, 0) != 1)
		;
	rt_puts("cpu1 powered off: yes\n");
	rt_printf("CPU_ON(7, absent)=%ld\n", rt_psci(PSCI_CPU_ON, 7, (u64)rt_secondary_entry, 0));
	return 0;
}
