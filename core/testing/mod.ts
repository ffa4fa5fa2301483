/**
 * Test doubles of the core for other packages' tests: a scripted
 * architecture ({@link FakeArch}), a hypervisor over it with helpers that
 * create vCPUs through the real hypercalls, and a ready-made core with the
 * hypercall dispatcher ({@link createTestCore}).
 *
 * @module
 */
export * from "../hypervisor/testing/fake_arch.ts";
export * from "../hypervisor/testing/setup.ts";
export * from "../hypercall/test_fixture.ts";
