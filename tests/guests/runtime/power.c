/* Start-up and power-off through PSCI (Arm DEN0022, SYSTEM_OFF = 0x84000008, HVC conduit). */
#include "rt.h"

#define PSCI_SYSTEM_OFF 0x84000008UL

void rt_uart_init(void);

void rt_init(void)
{
	rt_uart_init();
}

s64 rt_psci(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 __asm__("x0") = fn;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	register u64 x3 __asm__("x3") = a3;
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (s64)x0;
}

static void psci_system_off(void)
{
	rt_psci(PSCI_SYSTEM_OFF, 0, 0, 0);
}

void rt_exit(void)
{
	rt_puts("[guest done]\n");
	psci_system_off();
	rt_puts("[SYSTEM_OFF returned]\n");
	for (;;)
		__asm__ volatile("wfi");
}

void rt_fail(const char *why)
{
	rt_printf("FAIL: %s\n", why);
	rt_exit();
}
