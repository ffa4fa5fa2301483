/* A small printf: %s %c %d %u %x %p with l/ll, zero-padded widths and left-justified strings. */
#include "rt.h"

static void put_num(u64 v, unsigned base, int neg, int width, char pad)
{
	char buf[24];
	int n = 0;
	do {
		unsigned d = (unsigned)(v % base);
		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (n < width)
		buf[n++] = pad;
	while (n)
		rt_putc(buf[--n]);
}

void rt_printf(const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			rt_putc(*fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, lng = 0, left = 0;
		if (*fmt == '-') {
			left = 1;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = __builtin_va_arg(ap, const char *);
			int n = 0;
			if (!s)
				s = "(null)";
			while (s[n])
				n++;
			for (int k = n; !left && k < width; k++)
				rt_putc(' ');
			rt_puts(s);
			for (int k = n; left && k < width; k++)
				rt_putc(' ');
			break;
		}
		case 'c':
			rt_putc((char)__builtin_va_arg(ap, int));
			break;
		case 'd': {
			s64 v = lng ? __builtin_va_arg(ap, s64) : __builtin_va_arg(ap, int);
			put_num(v < 0 ? (u64)0 - (u64)v : (u64)v, 10, v < 0, width, pad);
			break;
		}
		case 'u': {
			u64 v = lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, unsigned);
			put_num(v, 10, 0, width, pad);
			break;
		}
		case 'x': {
			u64 v = lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, unsigned);
			put_num(v, 16, 0, width, pad);
			break;
		}
		case 'p':
			rt_puts("0x");
			put_num((u64)__builtin_va_arg(ap, void *), 16, 0, 16, '0');
			break;
		case '%':
			rt_putc('%');
			break;
		default:
			rt_putc('?');
			break;
		}
	}
	__builtin_va_end(ap);
}

void rt_show(const char *name, u64 value)
{
	rt_printf("%s=%016lx\n", name, value);
}
