/* Compiler-generated atomics (LL/SC loops for armv8.0): fetch-add, exchange, CAS, a spinlock. */
#include "test.h"

static u64 counter;
static u32 lock;
static u16 half;

static void spin_lock(u32 *l)
{
	while (__atomic_exchange_n(l, 1u, __ATOMIC_ACQUIRE))
		;
}
static void spin_unlock(u32 *l) { __atomic_store_n(l, 0u, __ATOMIC_RELEASE); }

int main(void)
{
	u64 sum = 0;
	for (u64 i = 0; i < 50; i++)
		sum += __atomic_fetch_add(&counter, i, __ATOMIC_SEQ_CST);
	rt_printf("fetch_add counter=%lu sum=%lu\n", counter, sum);
	u64 old = __atomic_exchange_n(&counter, 7UL, __ATOMIC_ACQ_REL);
	rt_printf("xchg old=%lu new=%lu\n", old, counter);
	u64 expect = 7;
	int ok1 = __atomic_compare_exchange_n(&counter, &expect, 9UL, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	expect = 7;
	int ok2 = __atomic_compare_exchange_n(&counter, &expect, 11UL, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	rt_printf("cas ok1=%d ok2=%d expect=%lu value=%lu\n", ok1, ok2, expect, counter);
	for (int i = 0; i < 10; i++) {
		spin_lock(&lock);
		half = (u16)(half * 3 + 1);
		spin_unlock(&lock);
	}
	u16 h = __atomic_fetch_or(&half, (u16)0x8000, __ATOMIC_RELAXED);
	rt_printf("half before=%x after=%x lock=%u\n", h, half, lock);
	return 0;
}
