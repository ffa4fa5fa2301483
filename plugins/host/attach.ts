/**
 * Attach the device plugins a VM's configuration names (`vms[].devices` in
 * the boot YAML, `DeviceConfig` of tools/system/config.ts) to that VM: load each
 * plugin (in-process, in a sandboxed Worker when `isolate` is true, the
 * default), give device `i` the platform's device slot `i`
 * (`PlatformPlugin.deviceSlot`; on qemu-virt a virtio-mmio transport), put its
 * MMIO regions on the VM's bus, and return the devicetree nodes for the slots.
 *
 * Two phases, because loading is asynchronous and building a VM is not:
 * {@link prepareDevicePlugins} (before the VM exists) and
 * `PreparedDevicePlugins.bind` (while it is built, before its devicetree);
 * {@link attachDevicePlugins} does both for a VM that already exists.
 *
 * Options each plugin receives: the configured `options`, plus keys
 * the host sets (and a configuration cannot override):
 * - `mmioBase`: IPA of the slot's window (qemu-virt: 0x0a00_0000 + n 0x200);
 * - `intid`: its GIC INTID (qemu-virt: 48 + n, edge-triggered);
 * - `configDir`: the configuration file's directory, against which a plugin
 *   resolves relative paths in its options (virtio-blk's `path` does);
 * - `netInterface` (only for an entry with `net:`): the device's network
 *   interface ordinal in the system, from which a network device derives its
 *   default MAC address (virtio-net: 52:54:00:12:34:56 + ordinal, as QEMU
 *   numbers its NICs).
 *
 * An entry with `net: <segment>` gets `DeviceHost.connectEthernet`, which
 * connects it to that segment of the {@link DeviceNetworks} given.
 *
 * Plugin specifiers: `builtin:virtio-rng`, `builtin:virtio-console`,
 * `builtin:virtio-blk`, `builtin:virtio-net`, `builtin:template`, or a module specifier resolved
 * against the configuration directory (core/plugin/loader.ts). Permission
 * paths are resolved against it too.
 *
 * @module
 */
import type {
  Device,
  DeviceHost,
  DeviceSlot,
  DtNode,
  EthernetEndpoint,
  InterruptController,
  MmioRegion,
  PlatformPlugin,
  Stage2Mapping,
} from "@gunyah-ts/core/plugin";
import { loadPlugin, resolveSpecifier } from "@gunyah-ts/core/plugin";
import { createIsolatedDevice, IsolatedDevice } from "./isolated_device.ts";
import { createProcessDevice } from "./process_device.ts";
import { LateBoundHost } from "./late_bound_host.ts";

/** One configured device (the shape of tools/system/config.ts `DeviceConfig`). */
export interface DevicePluginConfig {
  readonly plugin: string;
  /** true: a sandboxed Worker; "process": a sandboxed child process (./process_device.ts); false: in the host. */
  readonly isolate: boolean | "process";
  readonly permissions: { readonly read: readonly string[]; readonly write: readonly string[] };
  readonly options: Readonly<Record<string, unknown>>;
  /** The Ethernet segment the device connects to (`DeviceHost.connectEthernet`), if any. */
  readonly net?: string;
}

/**
 * The host's Ethernet segments as device plugins reach them (tools/system
 * implements it over `@gunyah-ts/net` segments).
 */
export interface DeviceNetworks {
  /**
   * Check that `segment` exists and reserve a port on it for device
   * `deviceIndex` of the VM being prepared; returns the interface's ordinal
   * in the system (0, 1, ...: default MAC addresses count from it). Throws an
   * Error naming the segment when there is no such segment.
   */
  reserve(segment: string, deviceIndex: number): number;
  /** Connect the device reserved as `deviceIndex` to its segment (see `DeviceHost.connectEthernet`). */
  connect(segment: string, deviceIndex: number, device: EthernetEndpoint): EthernetEndpoint;
}

/** Where device plugins go: the platform's slots (a {@link PlatformPlugin} is one). */
export type DeviceSlots = Pick<PlatformPlugin, "name" | "deviceSlotCount" | "deviceSlot">;

/** The VM side of an attachment. */
export interface DeviceAttachTarget {
  /** The DeviceHost devices of this VM use (memory, IRQs, timers, log). */
  readonly host: DeviceHost;
  /** The VM's MMIO bus. */
  readonly bus: {
    addRegion(region: MmioRegion): void;
    hasRegionAt(base: number, size: number): boolean;
  };
  /** The VM's RAM mappings, shared with isolated devices. */
  readonly ram: readonly Stage2Mapping[];
}

/** Something that makes a DeviceHost (the Hypervisor's `createDeviceHost`). */
export interface DeviceHostFactory {
  createDeviceHost(addrspace: object, irq: InterruptController): DeviceHost;
  vmFor(addrspace: object): { readonly bus: DeviceAttachTarget["bus"] };
}

/** What an addrspace offers for finding its RAM (core/object/addrspace `entries`). */
export interface RamEntries {
  readonly entries: readonly (Stage2Mapping & { readonly ram: boolean })[];
}

/**
 * The attach target of the VM on `addrspace`, from the hypervisor:
 * `deviceAttachTarget(system.hv, addrspace, irq)` inside `GunyahSystem.launch`.
 */
export function deviceAttachTarget(
  hv: DeviceHostFactory,
  addrspace: RamEntries,
  irq: InterruptController,
): DeviceAttachTarget {
  return {
    host: hv.createDeviceHost(addrspace, irq),
    bus: hv.vmFor(addrspace).bus,
    ram: addrspace.entries.filter((e) => e.ram),
  };
}

/** What was attached. */
export interface AttachedDevices {
  readonly devices: readonly Device[];
  /** Devicetree nodes of the slots used (pass to the platform's buildDeviceTree). */
  readonly dt: readonly DtNode[];
  /** Close every device (terminates isolated workers). */
  close(): Promise<void>;
}

const BUILTIN: Record<string, string> = {
  "builtin:virtio-rng": import.meta.resolve("@gunyah-ts/virtio-rng"),
  "builtin:virtio-console": import.meta.resolve("@gunyah-ts/virtio-console"),
  "builtin:virtio-blk": import.meta.resolve("@gunyah-ts/virtio-blk"),
  "builtin:virtio-net": import.meta.resolve("@gunyah-ts/virtio-net"),
  "builtin:template": import.meta.resolve("@gunyah-ts/plugin-template"),
};

/** The module URL of a configured plugin specifier. */
export function devicePluginUrl(specifier: string, configDir: string): string {
  if (specifier.startsWith("builtin:")) {
    const url = BUILTIN[specifier];
    if (url === undefined) {
      throw new Error(
        `unknown built-in device plugin '${specifier}' (built-in: ${
          Object.keys(BUILTIN).join(", ")
        })`,
      );
    }
    return url;
  }
  return resolveSpecifier(specifier, configDir);
}

function absolute(path: string, dir: string): string {
  return path.startsWith("/") ? path : `${dir.replace(/\/$/, "")}/${path}`;
}

/** A device that can be put in a failed state (virtio-mmio devices: DEVICE_NEEDS_RESET). */
export interface FailableDevice extends Device {
  /** Fail the device: it stops serving and tells its driver (virtio: DEVICE_NEEDS_RESET). */
  fail(reason: string): void;
}

/** Whether `device` offers {@link FailableDevice.fail}. */
export function isFailable(device: Device): device is FailableDevice {
  return typeof (device as Partial<FailableDevice>).fail === "function";
}

/**
 * What happens when a device's callback throws (its LateBoundHost caught it):
 * the device fails (if it can) and the fault is logged once per device; later
 * faults of the same device are counted, not logged.
 */
function faultHandler(
  device: Device,
  name: string,
  log: (message: string) => void,
): (reason: string) => void {
  let faults = 0;
  return (reason) => {
    if (faults++ === 0) log(`${name}: ${reason}; the device is failed, the VM goes on`);
    if (isFailable(device)) device.fail(reason);
  };
}

/** Device plugins loaded and created, waiting for their VM (see {@link prepareDevicePlugins}). */
export interface PreparedDevicePlugins {
  readonly devices: readonly Device[];
  /**
   * Attach to the VM being built (synchronous, so it fits inside
   * `GunyahSystem.launch` before the devicetree is written): bind each device
   * to the VM's DeviceHost and RAM, and put its regions on the bus. Throws if
   * a slot is already taken or this was bound before.
   */
  bind(target: DeviceAttachTarget): AttachedDevices;
  /** Close every device (terminates isolated workers). */
  close(): Promise<void>;
}

/**
 * Load each configured plugin and create its device (in a sandboxed Worker
 * when `isolate` is true) before the VM exists; device `i` gets the
 * platform's slot `i`. On any failure the devices made so far are closed and
 * the error names the device (its index and plugin). Entries with `net:`
 * connect through `networks` (an error names them when there is none).
 */
export async function prepareDevicePlugins(
  devices: readonly DevicePluginConfig[],
  slots: DeviceSlots,
  configDir: string,
  log: (message: string) => void = () => {},
  networks?: DeviceNetworks,
): Promise<PreparedDevicePlugins> {
  if (devices.length > slots.deviceSlotCount) {
    throw new Error(
      `${devices.length} devices configured; ${slots.name} has ${slots.deviceSlotCount} device slots`,
    );
  }
  const made: { device: Device; host: LateBoundHost; slot: DeviceSlot }[] = [];
  const close = async () => {
    for (const m of made) await m.device.close?.();
  };
  try {
    for (const [index, cfg] of devices.entries()) {
      const slot = slots.deviceSlot(index);
      const host = new LateBoundHost(log);
      let device: Device;
      try {
        const net: Record<string, number> = {};
        const segment = cfg.net;
        if (segment !== undefined) {
          if (networks === undefined) {
            throw new Error(`it names segment '${segment}', but this host offers no networks`);
          }
          if (cfg.isolate === "process") {
            throw new Error(
              `it names segment '${segment}', but a device run with isolate: process cannot ` +
                "join a network yet (frames do not cross its pipe); use isolate: true (a " +
                "sandboxed Worker) or false",
            );
          }
          net.netInterface = networks.reserve(segment, index);
          host.ethernet = (d) => networks.connect(segment, index, d);
        }
        const options = {
          ...cfg.options,
          mmioBase: slot.base,
          intid: slot.intid,
          configDir,
          ...net,
        };
        const url = devicePluginUrl(cfg.plugin, configDir);
        const permissions = {
          read: cfg.permissions.read.map((p) => absolute(p, configDir)),
          write: cfg.permissions.write.map((p) => absolute(p, configDir)),
        };
        if (cfg.isolate === "process") {
          device = await createProcessDevice({ pluginUrl: url, host, permissions, options });
        } else if (cfg.isolate) {
          device = await createIsolatedDevice({
            pluginUrl: url,
            host,
            ram: null,
            net: segment !== undefined,
            permissions,
            options,
          });
        } else {
          const plugin = await loadPlugin(url, "device", configDir);
          device = await plugin.create(host, options);
        }
      } catch (e) {
        throw new Error(`device ${index} (${cfg.plugin}): ${(e as Error).message}`);
      }
      host.onFault = faultHandler(device, `device ${index} (${cfg.plugin})`, log);
      made.push({ device, host, slot });
    }
  } catch (e) {
    await close();
    throw e;
  }
  let bound = false;
  return {
    devices: made.map((m) => m.device),
    close,
    bind(target: DeviceAttachTarget): AttachedDevices {
      if (bound) throw new Error("these device plugins are already attached to a VM");
      for (const m of made) {
        if (target.bus.hasRegionAt(m.slot.base, m.slot.size)) {
          throw new Error(`device slot ${m.slot.index} is already taken on this VM's bus`);
        }
      }
      bound = true;
      const dt: DtNode[] = [];
      for (const m of made) {
        m.host.bind(target.host);
        if (m.device instanceof IsolatedDevice) m.device.bindRam(target.ram);
        for (const r of m.device.regions) target.bus.addRegion(r);
        dt.push(...(m.device.dt ?? [m.slot.dt]));
      }
      return { devices: made.map((m) => m.device), dt, close };
    },
  };
}

/**
 * Load `devices` and attach them to the VM of `target` at once:
 * {@link prepareDevicePlugins} then `bind(target)`.
 */
export async function attachDevicePlugins(
  target: DeviceAttachTarget,
  devices: readonly DevicePluginConfig[],
  slots: DeviceSlots,
  configDir: string,
): Promise<AttachedDevices> {
  const prepared = await prepareDevicePlugins(
    devices,
    slots,
    configDir,
    (m) => target.host.log(m),
  );
  try {
    return prepared.bind(target);
  } catch (e) {
    await prepared.close();
    throw e;
  }
}
