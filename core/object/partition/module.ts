/**
 * The partition module: the partition hypercalls (partitions themselves are created by their parent, not by a factory).
 *
 * @module
 */
import type { CoreModule } from "../../module.ts";
import { registerPartitionHypercalls } from "./hypercalls.ts";

/** Partitions (HYP `hyp/core/partition_standard`). */
export const partitionModule: CoreModule = {
  name: "partition",
  hypercalls: registerPartitionHypercalls,
};
