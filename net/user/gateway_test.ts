import { assert, assertEquals, assertThrows } from "@gunyah-ts/tests/assert";
import dgram from "node:dgram";
import { UserGateway } from "./gateway.ts";
import {
  arpRequest,
  DNS_IP,
  GATEWAY_IP,
  GUEST_IP,
  GUEST_MAC,
  guestTcp,
  guestUdp,
  TestGuest,
} from "./test_guest.ts";
import {
  be16,
  be32,
  buildIpv4Frame,
  ETH_HEADER_BYTES,
  internetChecksum,
  IPPROTO_ICMP,
  IPV4_PAYLOAD_OFFSET,
  parseIpv4,
  parseIpv4Header,
  put16,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
} from "./wire.ts";
import { formatMac, MAC_BROADCAST, parseMac } from "../mac.ts";

function setup(options: ConstructorParameters<typeof UserGateway>[0] = { dnsServer: "none" }) {
  const gw = new UserGateway(options);
  const guest = new TestGuest();
  gw.attach(guest);
  return { gw, guest };
}

Deno.test("ARP: the gateway answers for its address and the DNS address, and learns the guest", () => {
  const { gw, guest } = setup();
  try {
    for (const target of [GATEWAY_IP, DNS_IP]) {
      gw.receive(arpRequest(target));
      const r = guest.frames.shift()!;
      assertEquals(formatMac(r), formatMac(GUEST_MAC));
      assertEquals(be16(r, 20), 2); // reply
      assertEquals(formatMac(r, 22), "52:55:0a:00:02:02");
      assertEquals(be32(r, 28), target);
      assertEquals(be32(r, 38), GUEST_IP);
    }
    gw.receive(arpRequest(parseIpv4("10.0.2.99")!));
    assertEquals(guest.frames.length, 0); // not ours to answer
    gw.receive(arpRequest(GATEWAY_IP).subarray(0, 30));
    assertEquals(gw.counters.malformed, 1);
  } finally {
    gw.close();
  }
});

function echoRequest(dst: number, payload: Uint8Array, dstMac = parseMac("52:55:0a:00:02:02")) {
  const f = buildIpv4Frame(dstMac, GUEST_MAC, GUEST_IP, dst, IPPROTO_ICMP, 8 + payload.length);
  const o = IPV4_PAYLOAD_OFFSET;
  f[o] = 8;
  put16(f, o + 4, 0x1234);
  put16(f, o + 6, 7);
  f.set(payload, o + 8);
  put16(f, o + 2, internetChecksum(f, o, f.length));
  return f;
}

Deno.test("ICMP: echo requests to the gateway are answered with the same id, sequence and data", () => {
  const { gw, guest } = setup();
  try {
    gw.receive(echoRequest(GATEWAY_IP, new TextEncoder().encode("ping-data")));
    const r = guest.frames.shift()!;
    const ip = parseIpv4Header(r, ETH_HEADER_BYTES);
    assert(typeof ip !== "string");
    assertEquals([ip.src, ip.dst, ip.protocol], [GATEWAY_IP, GUEST_IP, IPPROTO_ICMP]);
    assertEquals(r[ip.payload], 0);
    assertEquals(be16(r, ip.payload + 4), 0x1234);
    assertEquals(be16(r, ip.payload + 6), 7);
    assertEquals(new TextDecoder().decode(r.subarray(ip.payload + 8, ip.end)), "ping-data");
    assertEquals(internetChecksum(r, ip.payload, ip.end), 0);
    assertEquals(gw.counters.icmpEchoes, 1);
  } finally {
    gw.close();
  }
});

Deno.test("IPv4: bad checksums, fragments, truncation and other stations' frames are counted, never thrown", () => {
  const { gw, guest } = setup();
  try {
    const good = echoRequest(GATEWAY_IP, new Uint8Array(4));
    const badSum = good.slice();
    badSum[ETH_HEADER_BYTES + 10] ^= 0xff;
    gw.receive(badSum);
    const frag = good.slice();
    frag[ETH_HEADER_BYTES + 6] = 0x20; // MF
    put16(frag, ETH_HEADER_BYTES + 10, 0);
    put16(frag, ETH_HEADER_BYTES + 10, internetChecksum(frag, ETH_HEADER_BYTES, 34));
    gw.receive(frag);
    gw.receive(good.subarray(0, 30));
    gw.receive(new Uint8Array(5));
    const other = good.slice();
    other.set(parseMac("52:54:00:00:00:99"), 0);
    gw.receive(other);
    assertEquals(gw.counters.checksum, 1);
    assertEquals(gw.counters.fragments, 1);
    assertEquals(gw.counters.malformed, 2);
    assertEquals(gw.counters.notForUs, 1);
    assertEquals(guest.frames.length, 0);
    // Random garbage behind valid Ethernet/IPv4 headers: counted, never thrown.
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 3000; i++) {
      const f = new Uint8Array(14 + (rnd() * 6) % 1500);
      for (let j = 0; j < f.length; j++) f[j] = rnd();
      f.set(i % 2 ? MAC_BROADCAST : gw.mac, 0);
      put16(f, 12, i % 3 === 0 ? 0x0806 : 0x0800);
      if (i % 3 !== 0 && f.length >= 34) {
        f[14] = 0x45;
        put16(f, 16, f.length - 14);
        put16(f, 24, 0);
        put16(f, 24, internetChecksum(f, 14, 34));
        f[20] = 0;
        f[21] = 0;
        put16(f, 24, 0);
        put16(f, 24, internetChecksum(f, 14, 34));
      }
      assertEquals(gw.receive(f), true);
    }
    assertEquals(gw.counters.framesIn, 3005);
  } finally {
    gw.close();
  }
});

/** A DHCP message from the guest: type, and optionally requested IP and server id. */
function dhcp(type: number, xid: number, requested?: number, server?: number): Uint8Array {
  const m = new Uint8Array(300);
  m[0] = 1;
  m[1] = 1;
  m[2] = 6;
  m.set([xid >>> 24, (xid >>> 16) & 255, (xid >>> 8) & 255, xid & 255], 4);
  m.set(GUEST_MAC, 28);
  m.set([99, 130, 83, 99], 236);
  let o = 240;
  m.set([53, 1, type], o);
  o += 3;
  const u32 = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  if (requested !== undefined) m.set([50, 4, ...u32(requested)], o), o += 6;
  if (server !== undefined) m.set([54, 4, ...u32(server)], o), o += 6;
  m[o] = 255;
  return guestUdp(0xffffffff, 67, 68, m, MAC_BROADCAST, 0);
}

function dhcpOptions(data: Uint8Array): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let o = 240; o < data.length && data[o] !== 255;) {
    if (data[o] === 0) {
      o++;
      continue;
    }
    out.set(data[o], [...data.subarray(o + 2, o + 2 + data[o + 1])]);
    o += 2 + data[o + 1];
  }
  return out;
}

Deno.test("DHCP: DISCOVER/OFFER, REQUEST/ACK with mask, router, DNS and lease; a wrong address is NAKed", async () => {
  const { gw, guest } = setup();
  try {
    gw.receive(dhcp(1, 0xabcd));
    const offer = await guest.nextUdp();
    assertEquals([offer.src, offer.srcPort, offer.dst], [GATEWAY_IP, 67, 0xffffffff]);
    assertEquals(be32(offer.data, 4), 0xabcd);
    assertEquals(be32(offer.data, 16), GUEST_IP); // yiaddr 10.0.2.15
    const o = dhcpOptions(offer.data);
    assertEquals(o.get(53), [2]);
    assertEquals(o.get(1), [255, 255, 255, 0]);
    assertEquals(o.get(3), [10, 0, 2, 2]);
    assertEquals(o.get(6), [10, 0, 2, 3]);
    assertEquals(o.get(54), [10, 0, 2, 2]);
    assertEquals(o.get(51), [0, 1, 0x51, 0x80]);
    gw.receive(dhcp(3, 0xabce, GUEST_IP, GATEWAY_IP));
    const ack = await guest.nextUdp();
    assertEquals(dhcpOptions(ack.data).get(53), [5]);
    assertEquals(be32(ack.data, 16), GUEST_IP);
    gw.receive(dhcp(3, 0xabcf, parseIpv4("10.0.2.40")!, GATEWAY_IP));
    const nak = await guest.nextUdp();
    assertEquals(dhcpOptions(nak.data).get(53), [6]);
    assertEquals([gw.counters.dhcpOffers, gw.counters.dhcpAcks, gw.counters.dhcpNaks], [1, 1, 1]);
    assertEquals(gw.status().leases, [{ mac: "52:54:00:12:34:56", address: "10.0.2.15" }]);
    const bad = dhcp(1, 1);
    bad[14 + 20 + 8 + 236] = 0; // break the magic cookie
    put16(bad, 14 + 20 + 6, 0); // no UDP checksum
    gw.receive(bad);
    assertEquals(gw.counters.malformed, 1);
  } finally {
    gw.close();
  }
});

function dnsQuery(id: number, name: string): Uint8Array {
  const labels = name.split(".").flatMap((l) => [l.length, ...new TextEncoder().encode(l)]);
  const q = new Uint8Array(12 + labels.length + 1 + 4);
  put16(q, 0, id);
  q[2] = 0x01; // RD
  put16(q, 4, 1);
  q.set(labels, 12);
  put16(q, q.length - 4, 1);
  put16(q, q.length - 2, 1);
  return q;
}

Deno.test("DNS: queries are forwarded to the host resolver; without one the answer is SERVFAIL", async () => {
  const upstream = dgram.createSocket("udp4");
  await new Promise<void>((r) => upstream.bind(0, "127.0.0.1", r));
  upstream.on("message", (msg: Uint8Array, rinfo: { address: string; port: number }) => {
    const a = new Uint8Array(msg);
    a[2] |= 0x80;
    upstream.send(a, rinfo.port, rinfo.address);
  });
  const { gw, guest } = setup({ dnsServer: `127.0.0.1:${upstream.address().port}` });
  const none = setup({ dnsServer: "none" });
  try {
    gw.receive(arpRequest(DNS_IP));
    guest.frames.length = 0;
    gw.receive(guestUdp(DNS_IP, 53, 40000, dnsQuery(0x4242, "example.test")));
    const a = await guest.nextUdp();
    assertEquals([a.src, a.srcPort], [DNS_IP, 53]);
    assertEquals(be16(a.data, 0), 0x4242);
    assertEquals(a.data[2] & 0x80, 0x80);
    assertEquals(gw.counters.dnsFailures, 0);

    none.gw.receive(arpRequest(DNS_IP));
    none.guest.frames.length = 0;
    none.gw.receive(guestUdp(DNS_IP, 53, 40001, dnsQuery(0x77, "example.test")));
    const f = await none.guest.nextUdp();
    assertEquals(be16(f.data, 0), 0x77);
    assertEquals(f.data[3] & 0x0f, 2); // SERVFAIL
    assertEquals(be16(f.data, 4), 1); // the question is echoed
    assertEquals(none.gw.counters.dnsFailures, 1);
  } finally {
    gw.close();
    none.gw.close();
    upstream.close();
  }
});

Deno.test("UDP NAT: a datagram to the gateway reaches the host's 127.0.0.1 and the reply comes back from the gateway", async () => {
  const echo = dgram.createSocket("udp4");
  await new Promise<void>((r) => echo.bind(0, "127.0.0.1", r));
  echo.on("message", (msg: Uint8Array, rinfo: { address: string; port: number }) => {
    echo.send(new Uint8Array([...msg, 33]), rinfo.port, rinfo.address);
  });
  const { gw, guest } = setup();
  try {
    gw.receive(arpRequest(GATEWAY_IP));
    guest.frames.length = 0;
    const port = echo.address().port;
    gw.receive(guestUdp(GATEWAY_IP, port, 5555, new TextEncoder().encode("hi")));
    const r = await guest.nextUdp();
    assertEquals([r.src, r.srcPort, r.dst], [GATEWAY_IP, port, GUEST_IP]);
    assertEquals(new TextDecoder().decode(r.data), "hi!");
    assertEquals(gw.status().natUdp, 1);
    assertEquals([gw.counters.udpOut, gw.counters.udpIn], [1, 1]);
    gw.receive(guestUdp(parseIpv4("10.0.2.77")!, 9, 5555, new Uint8Array(1)));
    assertEquals(gw.counters.unrouted, 1);
  } finally {
    gw.close();
    echo.close();
  }
});

Deno.test("TCP NAT: the guest's connection to the gateway reaches a host server on 127.0.0.1, data both ways, FIN both ways", async () => {
  const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (server.addr as Deno.NetAddr).port;
  const served = (async () => {
    const c = await server.accept();
    const buf = new Uint8Array(100);
    const n = await c.read(buf);
    await c.write(
      new TextEncoder().encode("reply:" + new TextDecoder().decode(buf.subarray(0, n!))),
    );
    c.closeWrite();
    const end = await c.read(buf); // the guest's FIN
    c.close();
    return end;
  })();
  const { gw, guest } = setup();
  try {
    gw.receive(arpRequest(GATEWAY_IP));
    guest.frames.length = 0;
    const iss = 1000;
    gw.receive(guestTcp(GATEWAY_IP, port, 40000, iss, 0, TCP_SYN));
    const synAck = await guest.nextTcp(40000);
    assertEquals(synAck.flags, TCP_SYN | TCP_ACK);
    assertEquals(synAck.ack, iss + 1);
    assertEquals(synAck.mss, 1460);
    assertEquals(synAck.src, GATEWAY_IP);
    let ours = (synAck.seq + 1) >>> 0;
    gw.receive(guestTcp(GATEWAY_IP, port, 40000, iss + 1, ours, TCP_ACK));
    gw.receive(
      guestTcp(
        GATEWAY_IP,
        port,
        40000,
        iss + 1,
        ours,
        TCP_ACK | TCP_PSH,
        new TextEncoder().encode("abc"),
      ),
    );
    let got = "";
    let fin = false;
    while (!fin) {
      const s = await guest.nextTcp(40000);
      if (s.payload.length > 0) {
        assertEquals(s.seq, ours);
        got += new TextDecoder().decode(s.payload);
        ours = (ours + s.payload.length) >>> 0;
      }
      if (s.flags & TCP_FIN) {
        fin = true;
        ours = (ours + 1) >>> 0;
      }
    }
    assertEquals(got, "reply:abc");
    gw.receive(guestTcp(GATEWAY_IP, port, 40000, iss + 4, ours, TCP_ACK | TCP_FIN));
    const last = await guest.nextTcp(40000);
    assertEquals(last.ack, iss + 5);
    assertEquals(await served, null);
    assertEquals(gw.counters.tcp.opened, 1);
  } finally {
    gw.close();
    server.close();
  }
});

Deno.test("TCP NAT: a connection to a closed host port is refused with RST; a stray segment gets RST", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const { gw, guest } = setup();
  try {
    gw.receive(arpRequest(GATEWAY_IP));
    guest.frames.length = 0;
    gw.receive(guestTcp(GATEWAY_IP, port, 40001, 500, 0, TCP_SYN));
    const rst = await guest.nextTcp(40001);
    assertEquals(rst.flags & TCP_RST, TCP_RST);
    assertEquals(rst.ack, 501);
    gw.receive(guestTcp(GATEWAY_IP, port, 40002, 9, 77, TCP_ACK));
    const stray = await guest.nextTcp(40002);
    assertEquals([stray.flags, stray.seq], [TCP_RST, 77]);
    assertEquals(gw.status().natTcp, 0);
  } finally {
    gw.close();
  }
});

Deno.test("port forward: a host client on the loopback port reaches the guest's server; non-loopback binds are refused", async () => {
  assertThrows(
    () => new UserGateway({ hostfwd: ["tcp:0.0.0.0:2222-:22"] }),
    RangeError,
    "not loopback",
  );
  assertThrows(() => new UserGateway({ hostfwd: ["tcp:127.0.0.1:2222-10.9.9.9:22"] }), RangeError);
  const { gw, guest } = setup({ dnsServer: "none", hostfwd: ["tcp:127.0.0.1:0-:22"] });
  try {
    gw.receive(arpRequest(GATEWAY_IP)); // the gateway learns the guest's MAC
    guest.frames.length = 0;
    const [hostPort] = gw.forwardedPorts;
    const client = await Deno.connect({ hostname: "127.0.0.1", port: hostPort });
    const syn = await guest.nextTcp(22);
    assertEquals(syn.flags, TCP_SYN);
    assertEquals(syn.src, GATEWAY_IP);
    const gport = syn.srcPort;
    const giss = 7000;
    gw.receive(guestTcp(GATEWAY_IP, gport, 22, giss, syn.seq + 1, TCP_SYN | TCP_ACK));
    // tcp from guest port 22 to the gateway's port: guestTcp's (dstPort, srcPort) order
    const ack = await guest.nextTcp(22);
    assertEquals([ack.flags, ack.ack], [TCP_ACK, giss + 1]);
    gw.receive(
      guestTcp(
        GATEWAY_IP,
        gport,
        22,
        giss + 1,
        syn.seq + 1,
        TCP_ACK | TCP_PSH,
        new TextEncoder().encode("SSH-2.0-guest\r\n"),
      ),
    );
    const buf = new Uint8Array(64);
    const n = await client.read(buf);
    assertEquals(new TextDecoder().decode(buf.subarray(0, n!)), "SSH-2.0-guest\r\n");
    await client.write(new TextEncoder().encode("hello guest"));
    let data = await guest.nextTcp(22);
    while (data.payload.length === 0) data = await guest.nextTcp(22); // the ACK of our data first
    assertEquals(new TextDecoder().decode(data.payload), "hello guest");
    assertEquals(gw.status().forwards, [{
      host: `tcp:127.0.0.1:${hostPort}`,
      guest: "10.0.2.15:22",
    }]);
    client.close();
    const fin = await guest.nextTcp(22);
    assertEquals(fin.flags & TCP_FIN, TCP_FIN);
  } finally {
    gw.close();
  }
});
