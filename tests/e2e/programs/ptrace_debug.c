/*
 * In the Linux guest: the kernel's use of the Arm debug architecture through ptrace, as a debugger
 * does it. A traced child stops; the parent points it at a fixed instruction sequence and
 * single-steps it (PTRACE_SINGLESTEP: MDSCR_EL1.SS + SPSR.SS, one SIGTRAP per instruction), then
 * sets a hardware write watchpoint on a variable (PTRACE_SETREGSET NT_ARM_HW_WATCH: the kernel's
 * hw_breakpoint programs DBGWVR/DBGWCR) and continues: the child stops before its store
 * (SIGTRAP, si_code TRAP_HWBKPT, si_addr = the variable), the parent disarms and continues, and
 * the store completes. Every line is deterministic; tests/e2e/linux_debug_test.ts checks them.
 */
#include <elf.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include <asm/ptrace.h>

#ifndef TRAP_HWBKPT
#define TRAP_HWBKPT 4
#endif

volatile uint64_t watched = 0x1111;

extern char step_start[], step_end[], store_site[];

/* The child's code: a stepped sequence, then the watched store. */
__attribute__((noinline, noreturn)) static void child_body(void)
{
	__asm__ volatile(".global step_start\n"
			 "step_start:\n"
			 "	mov x0, #1\n"
			 "	add x0, x0, #2\n"
			 "	b 1f\n"
			 "	mov x0, #99\n"
			 "1:	lsl x0, x0, #4\n"
			 "	cbz xzr, 2f\n"
			 "	nop\n"
			 "2:	sub x0, x0, #1\n"
			 ".global step_end\n"
			 "step_end:\n"
			 "	nop\n" ::: "x0");
	__asm__ volatile(".global store_site\n"
			 "store_site:\n"
			 "	str %0, [%1]\n" ::"r"((uint64_t)0x2222), "r"(&watched)
			 : "memory");
	printf("ptrace-debug: child store done, watched=%lx\n", (unsigned long)watched);
	fflush(stdout);
	_exit(0);
}

static int wait_stop(pid_t pid, const char *what)
{
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		printf("ptrace-debug: FAIL %s: status %x\n", what, status);
		exit(1);
	}
	return WSTOPSIG(status);
}

static void get_regs(pid_t pid, struct user_pt_regs *r)
{
	struct iovec io = { r, sizeof *r };
	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &io) != 0) {
		perror("ptrace-debug: GETREGSET");
		exit(1);
	}
}

static void set_regs(pid_t pid, struct user_pt_regs *r)
{
	struct iovec io = { r, sizeof *r };
	if (ptrace(PTRACE_SETREGSET, pid, (void *)NT_PRSTATUS, &io) != 0) {
		perror("ptrace-debug: SETREGSET");
		exit(1);
	}
}

static void set_watch(pid_t pid, uint64_t addr, uint32_t ctrl)
{
	struct user_hwdebug_state st;
	memset(&st, 0, sizeof st);
	st.dbg_regs[0].addr = addr;
	st.dbg_regs[0].ctrl = ctrl;
	struct iovec io = { &st, offsetof(struct user_hwdebug_state, dbg_regs) + sizeof st.dbg_regs[0] };
	if (ptrace(PTRACE_SETREGSET, pid, (void *)NT_ARM_HW_WATCH, &io) != 0) {
		perror("ptrace-debug: SETREGSET NT_ARM_HW_WATCH");
		exit(1);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		child_body();
	}
	wait_stop(pid, "initial stop");

	struct user_hwdebug_state info;
	struct iovec io = { &info, sizeof info };
	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_ARM_HW_WATCH, &io) != 0) {
		perror("ptrace-debug: GETREGSET NT_ARM_HW_WATCH");
		return 1;
	}
	printf("ptrace-debug: watchpoints=%u debug-arch=%u\n", info.dbg_info & 0xff, (info.dbg_info >> 8) & 0xff);
	io.iov_len = sizeof info;
	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_ARM_HW_BREAK, &io) == 0)
		printf("ptrace-debug: breakpoints=%u\n", info.dbg_info & 0xff);

	/* Single step the sequence. */
	struct user_pt_regs r;
	get_regs(pid, &r);
	r.pc = (uint64_t)step_start;
	r.regs[0] = 0;
	set_regs(pid, &r);
	int steps = 0;
	while (r.pc != (uint64_t)step_end && steps < 20) {
		if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) != 0) {
			perror("ptrace-debug: SINGLESTEP");
			return 1;
		}
		int sig = wait_stop(pid, "single step");
		get_regs(pid, &r);
		steps++;
		printf("ptrace-debug: step %d sig=%d pc=step_start+%lu x0=%lu\n", steps, sig,
		       (unsigned long)(r.pc - (uint64_t)step_start), (unsigned long)r.regs[0]);
	}

	/* A hardware write watchpoint on `watched` (8 bytes, EL0, stores). */
	uint32_t ctrl = 1 | (2u << 1) | (2u << 3) | (0xffu << 5);
	set_watch(pid, (uint64_t)&watched, ctrl);
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	int sig = wait_stop(pid, "watchpoint");
	siginfo_t si;
	ptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
	get_regs(pid, &r);
	long before = ptrace(PTRACE_PEEKDATA, pid, (void *)&watched, NULL);
	printf("ptrace-debug: watchpoint sig=%d code=%d addr-is-watched=%d pc-is-store=%d value-before=%lx\n",
	       sig, si.si_code, si.si_addr == (void *)&watched, r.pc == (uint64_t)store_site,
	       (unsigned long)before);
	set_watch(pid, 0, 0);
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	int status;
	waitpid(pid, &status, 0);
	printf("ptrace-debug: child exit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	printf("ptrace-debug: done\n");
	return 0;
}
