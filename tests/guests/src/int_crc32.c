/* CRC32B/H/W/X and CRC32CB/CH/CW/CX over a buffer and on edge values. */
#include "test.h"

#define CRC(insn, acc, v) ({ u32 __r; __asm__ volatile(insn " %w0, %w1, %2" : "=r"(__r) : "r"((u32)(acc)), "r"((u64)(v))); __r; })
#define CRCW(insn, acc, v) ({ u32 __r; __asm__ volatile(insn " %w0, %w1, %w2" : "=r"(__r) : "r"((u32)(acc)), "r"((u32)(v))); __r; })

int main(void)
{
	for (unsigned i = 0; i < N_EDGE64; i++) {
		u64 v = EDGE64[i];
		rt_printf("%lx: %x %x %x %x %x %x %x %x\n", v, CRCW("crc32b", 0xffffffff, v),
			  CRCW("crc32h", 0xffffffff, v), CRCW("crc32w", 0xffffffff, v), CRC("crc32x", 0xffffffff, v),
			  CRCW("crc32cb", 0, v), CRCW("crc32ch", 0x12345678, v), CRCW("crc32cw", 0xffffffff, v),
			  CRC("crc32cx", 0xffffffff, v));
	}
	const char *msg = "123456789";
	u32 c = 0xffffffff, cc = 0xffffffff;
	for (const char *p = msg; *p; p++) {
		c = CRCW("crc32b", c, *p);
		cc = CRCW("crc32cb", cc, *p);
	}
	rt_printf("crc32(\"123456789\")=%x crc32c=%x\n", ~c, ~cc);
	return 0;
}
