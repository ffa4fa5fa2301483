/**
 * Object factories: how `partition_create_<type>` makes a new object of each
 * type. The core registers its own types; modules that own other types (the
 * thread/vCPU module) register theirs, so the partition code never imports
 * them (HYP wires this through `object_create_<type>` events).
 *
 * @module
 */
import { HypError, HypErrorException } from "../abi/error.ts";
import type { GunyahObject } from "./object.ts";
import { ObjectType } from "./object_type.ts";
import type { Partition } from "./partition/partition.ts";

/** Creates a new INIT object of one type, allocated from `partition`. */
export type ObjectFactory = (partition: Partition) => GunyahObject;

/** The factories of one hypervisor instance, keyed by object type. */
export class ObjectFactoryRegistry {
  #factories = new Map<ObjectType, ObjectFactory>();

  /** Register (or replace) the factory for `type`. */
  register(type: ObjectType, factory: ObjectFactory): void {
    this.#factories.set(type, factory);
  }

  /** Whether a factory exists for `type`. */
  has(type: ObjectType): boolean {
    return this.#factories.has(type);
  }

  /**
   * Create an object of `type` in `partition`. A type without a factory is
   * ERROR_UNIMPLEMENTED (the hypercall exists but nothing provides the type).
   */
  create(type: ObjectType, partition: Partition): GunyahObject {
    const f = this.#factories.get(type);
    if (!f) {
      throw new HypErrorException(
        HypError.ERROR_UNIMPLEMENTED,
        `no factory for ${ObjectType[type]}`,
      );
    }
    const object = f(partition);
    if (object.type !== type) {
      throw new Error(`factory for ${ObjectType[type]} returned a ${ObjectType[object.type]}`);
    }
    return object;
  }
}
