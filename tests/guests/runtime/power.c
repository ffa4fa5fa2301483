/* Start-up and power-off through PSCI (Arm DEN0022, SYSTEM_OFF = 0x84000008, HVC conduit). */
#include "rt.h"

#define PSCI_SYSTEM_OFF 0x84000008UL

void rt_uart_init(void);

void rt_init(void)
{
	rt_uart_init();
}

static void psci_system_off(void)
{
	register u64 x0 __asm__("x0") = PSCI_SYSTEM_OFF;
	__asm__ volatile("hvc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
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
