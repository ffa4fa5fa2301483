/* memset/memcpy (the compiler may emit calls to them), the bump allocator and a hash. */
#include "rt.h"

void *memset(void *d, int c, size_t n)
{
	volatile u8 *p = d;
	while (n--)
		*p++ = (u8)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	volatile u8 *p = d;
	const u8 *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

static u64 heap_next;

void *rt_alloc(size_t size, size_t align)
{
	if (!heap_next)
		heap_next = (u64)__heap_start;
	heap_next = (heap_next + align - 1) & ~(u64)(align - 1);
	void *p = (void *)heap_next;
	heap_next += size;
	if (heap_next > VIRT_RAM_BASE + 0x7000000UL)
		rt_fail("rt_alloc: out of memory");
	memset(p, 0, size);
	return p;
}

u64 rt_hash(const void *p, size_t n)
{
	const u8 *b = p;
	u64 h = 0xcbf29ce484222325UL;
	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3UL;
	}
	return h;
}
