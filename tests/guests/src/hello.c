/* The smallest guest: console output and power-off. */
#include "rt.h"

int main(void)
{
	rt_puts("hello from a gunyah-ts test guest\n");
	rt_printf("dec %d %u hex %x %lx pad %08x\n", -42, 42u, 0xbeefu, 0x123456789abcdefUL, 0x1fu);
	return 0;
}
