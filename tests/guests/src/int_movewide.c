/* MOVZ/MOVN/MOVK with every hw shift, 32 and 64-bit. */
#include "test.h"

int main(void)
{
	u64 r;
	__asm__ volatile("movz %0, #0x1234" : "=r"(r)); rt_show("movz0", r);
	__asm__ volatile("movz %0, #0x1234, lsl #16" : "=r"(r)); rt_show("movz16", r);
	__asm__ volatile("movz %0, #0xffff, lsl #32" : "=r"(r)); rt_show("movz32", r);
	__asm__ volatile("movz %0, #0x8001, lsl #48" : "=r"(r)); rt_show("movz48", r);
	__asm__ volatile("movn %0, #0x1234" : "=r"(r)); rt_show("movn0", r);
	__asm__ volatile("movn %0, #0, lsl #48" : "=r"(r)); rt_show("movn48", r);
	__asm__ volatile("movn %w0, #0x1234, lsl #16" : "=r"(r)); rt_show("movnw16", r);
	__asm__ volatile("movn %w0, #0" : "=r"(r)); rt_show("movnw0", r);
	__asm__ volatile("movz %w0, #0xabcd, lsl #16" : "=r"(r)); rt_show("movzw16", r);
	r = 0xffffffffffffffffUL;
	__asm__ volatile("movk %0, #0x1111" : "+r"(r)); rt_show("movk0", r);
	__asm__ volatile("movk %0, #0x2222, lsl #16" : "+r"(r)); rt_show("movk16", r);
	__asm__ volatile("movk %0, #0x3333, lsl #32" : "+r"(r)); rt_show("movk32", r);
	__asm__ volatile("movk %0, #0x4444, lsl #48" : "+r"(r)); rt_show("movk48", r);
	r = 0xffffffffffffffffUL;
	__asm__ volatile("movk %w0, #0x5555, lsl #16" : "+r"(r)); rt_show("movkw16", r);
	__asm__ volatile("mov %0, #-2" : "=r"(r)); rt_show("mov-2", r);
	__asm__ volatile("mov %w0, #-2" : "=r"(r)); rt_show("movw-2", r);
	return 0;
}
