/**
 * Host tests of `gunyah-vmm`, built natively with the host's gcc (no VM
 * needed): the device models (test/devices_test.c), the command line's
 * errors and exit codes, and the devicetree it writes for the secondary
 * (`-machine virt,dumpdtb=FILE`), decoded by `dtc -I dtb -O dts`.
 *
 * @module
 */
import { assert, assertEquals, assertMatch } from "@gunyah-ts/tests/assert";
import { buildHostPrograms, type HostBuild } from "./build.ts";

async function have(cmd: string): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

const canBuild = await have("gcc");
const haveDtc = await have("dtc");

let built: Promise<{ dir: string; b: HostBuild }> | undefined;
function host(): Promise<{ dir: string; b: HostBuild }> {
  built ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "gunyah-vmm-test-" });
    return { dir, b: await buildHostPrograms(dir) };
  })();
  return built;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(program: string, args: string[]): Promise<Run> {
  const out = await new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A minimal arm64 Image: the 64-byte header (text_offset 0, image_size, magic) and padding. */
function fakeImage(imageSize: number, fileSize: number): Uint8Array {
  const b = new Uint8Array(fileSize);
  const v = new DataView(b.buffer);
  v.setBigUint64(0x08, 0n, true);
  v.setBigUint64(0x10, BigInt(imageSize), true);
  v.setBigUint64(0x18, 0b1010n, true); // 4K pages, anywhere
  v.setUint32(0x38, 0x644d5241, true);
  return b;
}

async function fixtures(dir: string) {
  const kernel = `${dir}/Image`;
  const initrd = `${dir}/initrd.gz`;
  const disk = `${dir}/disk.img`;
  await Deno.writeFile(kernel, fakeImage(0x2000000, 0x10000));
  await Deno.writeFile(initrd, new Uint8Array(1000));
  await Deno.writeFile(disk, new Uint8Array(16 * 512));
  return { kernel, initrd, disk };
}

async function dts(blob: string): Promise<string> {
  const out = await new Deno.Command("dtc", {
    args: ["-I", "dtb", "-O", "dts", blob],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, `dtc failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

/** The text of node `path` ("/a/b") in dtc's output, children included. */
function node(text: string, path: string): string {
  let scope = text;
  for (const name of path.split("/").filter((s) => s)) {
    const re = new RegExp(`\\n(\\t*)${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\{\\n`);
    const m = re.exec(scope);
    assert(m, `no node ${name} (of ${path})`);
    const start = m.index + m[0].length;
    const end = scope.indexOf(`\n${m[1]}};`, start);
    scope = scope.slice(start, end);
  }
  return scope;
}

Deno.test({
  name: "gunyah-vmm: device models (PL011, virtio-mmio + virtio-blk) on the host",
  ignore: !canBuild,
  async fn() {
    const { b } = await host();
    const r = await run(b.devicesTest, []);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    for (
      const check of [
        "pl011 TX reaches the output fd",
        "pl011 RX interrupt drops when drained",
        "FEATURES_OK refused without VERSION_1",
        "OUT wrote sector 3 of the file",
        "IN reads it back (used len 513)",
        "a chain outside RAM is rejected, not followed",
        "a descriptor loop is rejected",
        "status 0 resets the device",
      ]
    ) assert(r.stdout.includes(`ok ${check}\n`), `missing: ${check}\n${r.stdout}`);
    assertMatch(r.stdout, /all device checks passed/);
  },
});

Deno.test({
  name: "gunyah-vmm: command-line errors name the problem and exit 2 (usage) or 1 (files)",
  ignore: !canBuild,
  async fn() {
    const { dir, b } = await host();
    const f = await fixtures(dir);
    const help = await run(b.vmm, ["-help"]);
    assertEquals(help.code, 0);
    assertMatch(help.stdout, /usage: gunyah-vmm -kernel Image/);
    assertMatch(help.stdout, /-hda FILE/);

    const cases: [string[], number, RegExp][] = [
      [["-bogus"], 2, /unknown option '-bogus'/],
      [["-kernel"], 2, /-kernel needs a value/],
      [["-m", "256M"], 2, /no -kernel given/],
      [["-kernel", f.kernel, "-m", "12Q"], 2, /-m '12Q': not a size/],
      [["-kernel", f.kernel, "-m", "3M"], 2, /multiple of 2 MiB from 16M to 3G/],
      [["-kernel", f.kernel, "-smp", "9"], 2, /-smp '9': the count must be 1..8/],
      [["-kernel", f.kernel, "-smp", "two"], 2, /want a vCPU count/],
      [["-kernel", f.kernel, "-machine", "sbsa"], 2, /the only board is 'virt'/],
      [["-kernel", f.kernel, "-machine", "virt,gic-version=2"], 2, /GICv3 only/],
      [["-kernel", f.kernel, "-accel", "kvm"], 2, /the only accelerator is 'gunyah'/],
      [["-kernel", f.kernel, "-cpu", "cortex-a53"], 2, /choose cortex-a57, max or host/],
      [["-kernel", f.kernel, "-accel", "gunyah,memory=lend", "-hda", f.disk], 2, /needs shared/],
      [["-kernel", `${dir}/missing`], 1, /-kernel .*missing: No such file or directory/],
      [["-kernel", f.kernel, "-initrd", `${dir}/nope`], 1, /-initrd .*nope: No such file/],
      [["-kernel", f.kernel, "-hda", `${dir}/nodisk`], 1, /-hda .*nodisk: No such file/],
      [["-kernel", f.initrd], 1, /no arm64 Image magic/],
      [["-kernel", f.kernel, "-initrd", f.initrd, "-m", "32M"], 2, /does not fit in RAM/],
    ];
    for (const [args, code, re] of cases) {
      const r = await run(b.vmm, args);
      assertEquals(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assertMatch(r.stderr, re);
    }
    let devGunyah = true;
    try {
      await Deno.stat("/dev/gunyah");
    } catch {
      devGunyah = false;
    }
    if (!devGunyah) {
      const r = await run(b.vmm, ["-kernel", f.kernel, "-m", "64M", "-nographic"]);
      assertEquals(r.code, 1);
      assertMatch(r.stderr, /\/dev\/gunyah: No such file or directory \(.*modprobe gunyah/);
    }
  },
});

Deno.test({
  name: "gunyah-vmm: the secondary's devicetree (dumpdtb, decoded by dtc)",
  ignore: !canBuild || !haveDtc,
  async fn() {
    const { dir, b } = await host();
    const f = await fixtures(dir);
    const dtb = `${dir}/virt.dtb`;
    const r = await run(b.vmm, [
      "-kernel",
      f.kernel,
      "-initrd",
      f.initrd,
      "-append",
      "console=ttyAMA0 rdinit=/init",
      "-m",
      "256M",
      "-smp",
      "cpus=2",
      "-hda",
      f.disk,
      "-nographic",
      "--accel",
      "gunyah",
      "-machine",
      `virt,highmem=off,dumpdtb=${dtb}`,
    ]);
    assertEquals(r.code, 0, r.stderr);
    const text = await dts(dtb);
    const root = text.slice(text.indexOf("/ {"));
    assertMatch(root, /compatible = "linux,dummy-virt";/);
    assertMatch(root, /#address-cells = <0x02>;\n\t#size-cells = <0x02>;/);
    assertMatch(node(text, "psci"), /method = "hvc";/);
    assertMatch(node(text, "psci"), /compatible = "arm,psci-1.0\\0arm,psci-0.2\\0arm,psci";/);
    assertMatch(node(text, "memory@40000000"), /reg = <0x00 0x40000000 0x00 0x10000000>;/);
    for (const cpu of ["cpu@0", "cpu@1"]) {
      assertMatch(node(text, `cpus/${cpu}`), /enable-method = "psci";/);
    }
    assert(!text.includes("cpu@2"), "two vCPUs only");
    const gic = node(text, "intc@8000000");
    assertMatch(gic, /compatible = "arm,gic-v3";/);
    // GICD 64 KiB, GICR two 64 KiB frames per vCPU.
    assertMatch(gic, /reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x40000>;/);
    const gicPhandle = /phandle = <(0x[0-9a-f]+)>;/.exec(gic)![1];
    assertMatch(root, new RegExp(`interrupt-parent = <${gicPhandle}>;`));
    assertMatch(node(text, "timer"), /interrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04/);
    const uart = node(text, "pl011@9000000");
    assertMatch(uart, /reg = <0x00 0x9000000 0x00 0x1000>;/);
    assertMatch(uart, /interrupts = <0x00 0x01 0x01>;/); // edge: see devicetree.c
    const blk = node(text, "virtio_mmio@a000000");
    assertMatch(blk, /compatible = "virtio,mmio";/);
    assertMatch(blk, /interrupts = <0x00 0x10 0x01>;/);
    const chosen = node(text, "chosen");
    assertMatch(chosen, /bootargs = "console=ttyAMA0 rdinit=\/init";/);
    assertMatch(chosen, /stdout-path = "\/pl011@9000000";/);
    // QEMU's placement: initrd at RAM + min(RAM/2, 128 MiB).
    assertMatch(chosen, /linux,initrd-start = <0x00 0x48000000>;/);
    assertMatch(chosen, /linux,initrd-end = <0x00 0x480003e8>;/);

    const cfg = node(text, "gunyah-vm-config");
    assertMatch(cfg, /os-type = "linux";/);
    assertMatch(node(text, "gunyah-vm-config/memory"), /base-address = <0x00 0x40000000>;/);
    assertMatch(
      node(text, "gunyah-vm-config/interrupts"),
      new RegExp(`config = <${gicPhandle}>;`),
    );
    assertMatch(node(text, "gunyah-vm-config/vcpus"), /affinity = "proxy";/);
    assertMatch(node(text, "gunyah-vm-config/vdevices"), /generate = "\/hypervisor";/);
    for (const spi of [1, 16]) {
      const bell = node(text, `gunyah-vm-config/vdevices/bell-${spi}`);
      assertMatch(bell, /vdevice-type = "doorbell";/);
      assertMatch(bell, new RegExp(`label = <0x${spi.toString(16).padStart(2, "0")}>;`));
      assertMatch(bell, new RegExp(`qcom,label = <0x${spi.toString(16).padStart(2, "0")}>;`));
      assertMatch(bell, /peer-default;/);
      assertMatch(
        bell,
        new RegExp(
          `interrupts = <0x00 0x${spi.toString(16).padStart(2, "0")} 0x01>;`,
        ),
      );
    }

    // Without -hda: no virtio-mmio node and no doorbell for its SPI; static vCPUs on request.
    const r2 = await run(b.vmm, [
      "-kernel",
      f.kernel,
      "-accel",
      "gunyah,vcpus=static",
      "-machine",
      `virt,dumpdtb=${dtb}`,
    ]);
    assertEquals(r2.code, 0, r2.stderr);
    const text2 = await dts(dtb);
    assert(!text2.includes("virtio_mmio"), "no disk, no virtio-mmio node");
    assert(!text2.includes("bell-16"), "no disk, no doorbell for SPI 16");
    assertMatch(node(text2, "gunyah-vm-config/vcpus"), /affinity = "static";/);
    assert(!node(text2, "chosen").includes("initrd"), "no initrd properties without -initrd");
    assertMatch(node(text2, "memory@40000000"), /0x8000000>;/); // default -m 128M
  },
});

Deno.test({
  name: "gunyah-vmm: device nodes follow the VIRQs the RM bound the doorbells to",
  ignore: !canBuild || !haveDtc,
  async fn() {
    const { dir, b } = await host();
    const out = `${dir}/followed.dtb`;
    const r = await run(b.fdtTest, [out]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    for (
      const check of [
        "doorbells read from /hypervisor",
        "VIRQs as asked: nothing changes",
        "one device follows its doorbell",
        "a device SPI without a doorbell is reported",
        "a bad magic is refused",
        "a truncated blob is refused",
      ]
    ) assert(r.stdout.includes(`ok ${check}\n`), `missing: ${check}\n${r.stdout}`);
    const text = await dts(out);
    // The PL011's doorbell was bound to SPI 242 (0xf2): its node now says so.
    assertMatch(node(text, "pl011@9000000"), /interrupts = <0x00 0xf2 0x01>;/);
    // The disk's doorbell got the SPI asked for: unchanged.
    assertMatch(node(text, "virtio_mmio@a000000"), /interrupts = <0x00 0x10 0x01>;/);
  },
});

Deno.test({
  name: "gunyah-vmm: host build cleanup",
  ignore: !canBuild,
  async fn() {
    if (built) await Deno.remove((await built).dir, { recursive: true });
  },
});
