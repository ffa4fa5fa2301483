/**
 * A platform plugin written against plugin API 1: it has the version-1
 * members (memory map, devices, boot plan, devicetree) but none of the board
 * answers version 2 added. The system must refuse it, naming each.
 *
 * @module
 */
import { qemuVirtPlatform } from "@gunyah-ts/platform-qemu-virt";

const plugin = {
  kind: "platform",
  apiVersion: 1,
  name: "version-1-board",
  memoryMap: qemuVirtPlatform.memoryMap,
  createDevices: qemuVirtPlatform.createDevices,
  planBoot: qemuVirtPlatform.planBoot,
  buildDeviceTree: qemuVirtPlatform.buildDeviceTree,
};

export default plugin;
