/**
 * A system's Ethernet segments (the boot configuration's `net:` section) and
 * the network interfaces of its VMs on them: {@link SystemNetworks} makes one
 * `@gunyah-ts/net` {@link EthernetSegment} per configured segment and gives
 * each VM's device plugins the {@link DeviceNetworks} through which an entry
 * with `net: <segment>` connects (`DeviceHost.connectEthernet`).
 *
 * Each connected device is a port named `<vm>.eth<k>` (k counts the VM's
 * network devices from 0, as Linux names them), and gets the system-wide
 * interface ordinal its default MAC address counts from.
 *
 * @module
 */
import type { Device, EthernetEndpoint } from "@gunyah-ts/core/plugin";
import { EthernetSegment, type UserGateway } from "@gunyah-ts/net";
import { startUserGateway, type UserNetConfig } from "./user_net.ts";
import type { DeviceNetworks } from "@gunyah-ts/plugin-host";

/** One segment of a system (the shape of config.ts `NetSegmentConfig`). */
export interface NetSegmentSpec {
  readonly name: string;
  /** User-mode networking to the host: a gateway port on the segment (user_net.ts). */
  readonly user?: UserNetConfig;
}

/** A VM's network interface: which device, on which segment, as which port. */
export interface NetInterface {
  /** The VM's name. */
  readonly vm: string;
  /** The device's index in the VM's device plugins. */
  readonly deviceIndex: number;
  /** The segment's name. */
  readonly segment: string;
  /** The port's name on the segment (`<vm>.eth<k>`). */
  readonly port: string;
  /** The interface's ordinal in the system. */
  readonly ordinal: number;
  /** The device, once its plugin created it (its describe() has the MAC and counters). */
  device?: Device;
}

/** The device networks of one VM being prepared; `detach` removes its ports from their segments. */
export interface VmNetworks extends DeviceNetworks {
  /** Remove this VM's ports (its VM is gone or its devices closed). */
  detach(): void;
  /** Record the devices made (by configuration index) so the status shows their counters. */
  bindDevices(devices: readonly Device[]): void;
}

/** The segments of a system; see the module documentation. */
export class SystemNetworks {
  /** The segments by name, in configuration order. */
  readonly segments: ReadonlyMap<string, EthernetSegment>;
  /** Every interface reserved, in order. */
  readonly interfaces: NetInterface[] = [];
  #nextOrdinal = 0;

  /** One segment per entry of `specs` (names unique, as the configuration checks). */
  constructor(specs: readonly NetSegmentSpec[]) {
    const m = new Map<string, EthernetSegment>();
    for (const s of specs) {
      if (m.has(s.name)) throw new Error(`two network segments are named '${s.name}'`);
      m.set(s.name, new EthernetSegment(s.name));
    }
    this.segments = m;
    try {
      for (const s of specs) {
        if (s.user) this.gateways.set(s.name, startUserGateway(m.get(s.name)!, s.user));
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** The user-mode gateways by segment name (segments with `user:`). */
  readonly gateways: Map<string, UserGateway> = new Map();

  /** Close the user-mode gateways' host sockets and port-forward listeners. */
  close(): void {
    for (const g of this.gateways.values()) g.close();
  }

  /** The segment named `name`; an Error naming it and the segments there are otherwise. */
  segment(name: string): EthernetSegment {
    const s = this.segments.get(name);
    if (s === undefined) {
      const known = [...this.segments.keys()].join(", ");
      throw new Error(
        `no network segment named '${name}' (${
          known ? `segments: ${known}` : "the configuration has no net: section"
        })`,
      );
    }
    return s;
  }

  /** The {@link DeviceNetworks} for the device plugins of VM `vm`. */
  forVm(vm: string): VmNetworks {
    const mine = new Map<number, NetInterface>();
    const links: { detach(): void }[] = [];
    return {
      reserve: (segment, deviceIndex) => {
        this.segment(segment);
        const k = [...mine.values()].length;
        const iface: NetInterface = {
          vm,
          deviceIndex,
          segment,
          port: `${vm}.eth${k}`,
          ordinal: this.#nextOrdinal++,
        };
        mine.set(deviceIndex, iface);
        this.interfaces.push(iface);
        return iface.ordinal;
      },
      connect: (segment, deviceIndex, device: EthernetEndpoint) => {
        const iface = mine.get(deviceIndex);
        if (iface === undefined || iface.segment !== segment) {
          throw new Error(`device ${deviceIndex} of VM '${vm}' reserved no port on '${segment}'`);
        }
        const link = this.segment(segment).attach(iface.port, device);
        links.push(link);
        return link;
      },
      bindDevices: (devices) => {
        for (const iface of mine.values()) iface.device = devices[iface.deviceIndex];
      },
      detach: () => {
        for (const l of links) l.detach();
        links.length = 0;
        for (const iface of mine.values()) {
          const i = this.interfaces.indexOf(iface);
          if (i >= 0) this.interfaces.splice(i, 1);
        }
        mine.clear();
      },
    };
  }
}
