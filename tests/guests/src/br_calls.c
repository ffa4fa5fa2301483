/* Compiler-generated control flow: recursion, function pointers, switch tables, loops. */
#include "test.h"

static u64 fib(u64 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static u64 ack(u64 m, u64 n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

static u64 op_add(u64 a, u64 b) { return a + b; }
static u64 op_xor(u64 a, u64 b) { return a ^ b; }
static u64 op_mul(u64 a, u64 b) { return a * b; }
static u64 (*const ops[])(u64, u64) = {op_add, op_xor, op_mul};

static __attribute__((noinline)) u64 classify(u64 v)
{
	switch (v & 15) {
	case 0: return 11;
	case 1: return 22;
	case 2: return 33;
	case 3: return 44;
	case 5: return 55;
	case 8: return 66;
	case 9: return 77;
	case 13: return 88;
	default: return v * 3;
	}
}

int main(void)
{
	rt_printf("fib(20)=%lu\n", fib(20));
	rt_printf("ack(2,3)=%lu\n", ack(2, 3));
	u64 acc = 1;
	for (u64 i = 0; i < 30; i++)
		acc = ops[i % 3](acc, i + 0x9e37);
	rt_printf("ops=%lx\n", acc);
	u64 s = 0;
	for (u64 i = 0; i < 64; i++)
		s = s * 31 + classify(i * 7);
	rt_printf("switch=%lx\n", s);
	return 0;
}
