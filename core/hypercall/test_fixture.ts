/**
 * A ready-made core for tests: physical RAM, memdb, root partition, a root
 * cspace holding master caps of both, the hypercall dispatcher with the
 * core's calls registered, and a caller context over identity-mapped
 * physical memory. Used by the core's own tests and available to other
 * modules' tests.
 *
 * @module
 */
import { errorFromRegister } from "../abi/error.ts";
import { HVC_NATIVE_BASE } from "../abi/hypercall_numbers.ts";
import { gunyahSmcccFunctionId } from "../abi/smccc.ts";
import { Cspace } from "../cspace/cspace.ts";
import { Memdb } from "../memory/memdb.ts";
import { PhysicalMemory } from "../memory/physical_memory.ts";
import { PhysicalUserMemory } from "../memory/physical_user_memory.ts";
import { ObjectFactoryRegistry } from "../object/factory.ts";
import type { GunyahObject } from "../object/object.ts";
import { createRootPartition, type Partition } from "../object/partition/partition.ts";
import type { Vic } from "../object/vic/vic.ts";
import type { HypercallContext, UserMemory } from "./context.ts";
import { RecordingInterruptController } from "./test_doubles.ts";
import { installModules } from "../module.ts";
import { CORE_MODULES } from "../modules.ts";
import { HypercallDispatcher } from "./smccc.ts";

/** Options of {@link createTestCore}. */
export interface TestCoreOptions {
  /** RAM regions to create (default one 16 MiB region at 0x4000_0000). */
  readonly ram?: readonly { readonly base: number; readonly size: number }[];
  /** PRNG seed. */
  readonly seed?: bigint;
  /** Root cspace capacity (default 2048, as the root VM's). */
  readonly maxCaps?: number;
}

/** What {@link createTestCore} returns. */
export interface TestCore {
  readonly physicalMemory: PhysicalMemory;
  readonly memdb: Memdb;
  readonly root: Partition;
  readonly rootCspace: Cspace;
  /** Master cap of the root partition in the root cspace. */
  readonly partitionCap: bigint;
  /** Master cap of the root cspace in itself. */
  readonly cspaceCap: bigint;
  readonly dispatcher: HypercallDispatcher;
  readonly factories: ObjectFactoryRegistry;
  /** The interrupt controller given to each vic at activation (a recording double). */
  readonly controllers: Map<Vic, RecordingInterruptController>;
  /** A thread-less caller using the root cspace. */
  readonly ctx: HypercallContext;
  /** Native call by number; returns result registers (X0 as a signed error in `err`). */
  call(n: number, ...args: bigint[]): { err: number; r: bigint[] };
  /** `hvc #(0x6000+n)` with args in X0..; returns all eight registers afterwards. */
  hvcNative(n: number, ...args: bigint[]): { err: number; r: BigUint64Array };
  /** `hvc #0` with X0 = 0xC6008000|n and args in X1..; returns all eight registers afterwards. */
  hvcSmccc(n: number, ...args: bigint[]): { err: number; r: BigUint64Array };
}

/** Both guest-visible forms of a hypercall, for tests that drive each call both ways. */
export const HYPERCALL_FORMS = ["native", "smccc"] as const;

/** Default test RAM: 16 MiB at 0x4000_0000 (the QEMU DDR base, gunyah-abi.md §9). */
export const TEST_RAM_BASE = 0x4000_0000;
/** Size of the default test RAM region. */
export const TEST_RAM_SIZE = 16 * 1024 * 1024;

/** Build a core for tests; the RAM is owned by the root partition in the memdb. */
export function createTestCore(options: TestCoreOptions = {}): TestCore {
  const physicalMemory = new PhysicalMemory();
  const memdb = new Memdb();
  const factories = new ObjectFactoryRegistry();
  const dispatcher = new HypercallDispatcher();
  installModules(CORE_MODULES, factories, dispatcher.table);
  const controllers = new Map<Vic, RecordingInterruptController>();
  const root = createRootPartition({
    physicalMemory,
    memdb,
    factories,
    seed: options.seed,
    createVicController: (vic) => {
      const c = new RecordingInterruptController(Math.max(vic.maxVirqs, 1));
      controllers.set(vic, c);
      return c;
    },
  });
  for (const r of options.ram ?? [{ base: TEST_RAM_BASE, size: TEST_RAM_SIZE }]) {
    physicalMemory.addRegion(r.base, r.size);
    memdb.insert(r.base, r.size, root);
  }
  const rootCspace = new Cspace(root, root.services.random.fork());
  rootCspace.configure(options.maxCaps ?? 2048);
  rootCspace.activate();
  const cspaceCap = rootCspace.createMasterCap(rootCspace);
  const partitionCap = rootCspace.createMasterCap(root);
  const ctx = contextFor(rootCspace, root, null, new PhysicalUserMemory(physicalMemory));
  return {
    physicalMemory,
    memdb,
    root,
    rootCspace,
    partitionCap,
    cspaceCap,
    dispatcher,
    factories,
    controllers,
    ctx,
    call(n, ...args) {
      const r = dispatcher.table.call(ctx, n, ...args);
      return { err: errorFromRegister(r[0]), r };
    },
    hvcNative(n, ...args) {
      const regs = new BigUint64Array(8);
      args.forEach((a, i) => (regs[i] = BigInt.asUintN(64, a)));
      dispatcher.dispatchHvc(ctx, HVC_NATIVE_BASE + n, regs);
      return { err: errorFromRegister(regs[0]), r: regs };
    },
    hvcSmccc(n, ...args) {
      const regs = new BigUint64Array(8);
      regs[0] = BigInt(gunyahSmcccFunctionId(n));
      args.forEach((a, i) => (regs[i + 1] = BigInt.asUintN(64, a)));
      dispatcher.dispatchHvc(ctx, 0, regs);
      return { err: errorFromRegister(regs[0]), r: regs };
    },
  };
}

/** A caller context from its parts. */
export function contextFor(
  cspace: Cspace,
  partition: Partition,
  thread: GunyahObject | null,
  memory: UserMemory,
): HypercallContext {
  return {
    cspace,
    partition,
    thread,
    readUser: (va, length) => memory.readUser(va, length),
    writeUser: (va, data) => memory.writeUser(va, data),
  };
}
