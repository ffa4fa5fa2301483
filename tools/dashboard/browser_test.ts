/**
 * The dashboard in a real browser against a running system, as a user
 * meets it: `gunyah boot` (Debian's kernel and busybox initramfs as the
 * primary VM) in a subprocess, Debian's `chromium` headless driven by npm
 * `playwright-core`. It opens the URL with the token the boot printed and
 * checks: the overview lists the VM; the terminal shows the boot log, runs
 * `sleep 100` and interrupts it with Ctrl-C, shows `ls --color=always` in
 * colour; a VM created from the page (a small flat guest from the images
 * folder) starts, is reset, force-stopped (after the confirmation dialog)
 * and deleted, and its RAM region goes back (physical RAM shrinks again); with five VMs
 * the page's draw time is measured (reported, not asserted); `poweroff -f`
 * in the primary's terminal ends the system and the page says "system
 * ended". Screenshots go to `.cache/dashboard-browser/`.
 *
 * Skips with the reason when chromium or the guest images are missing
 * (`tools/setup.sh` installs chromium; `gunyah images` fetches the images).
 *
 * @module
 */
import { assert, assertEquals } from "@gunyah-ts/tests/assert";
import { cacheRoot, ensureGuestImages, ImageUnavailableError } from "@gunyah-ts/system";
import { chromium, type Page } from "playwright-core";
import { printThenWaitGuest } from "./test_fixture.ts";

/** Where Debian's chromium lives (override with GUNYAH_CHROMIUM). */
const CHROMIUM = Deno.env.get("GUNYAH_CHROMIUM") ?? "/usr/bin/chromium";
const MAIN = new URL(import.meta.resolve("@gunyah-ts/cli/main")).pathname;
/** Wall-clock limit for the Linux boot to reach its shell (a budget under load, not a target). */
const BOOT_TIMEOUT_MS = 8 * 60_000;
/** Where the screenshots go. */
export const SCREENSHOT_DIR = `${cacheRoot()}/dashboard-browser`;

let skip = "";
try {
  await Deno.stat(CHROMIUM);
} catch {
  skip = `no chromium at ${CHROMIUM} (tools/setup.sh installs Debian's 'chromium')`;
}
if (!skip) {
  try {
    await ensureGuestImages({ progress: (m) => console.error(`[browser test images] ${m}`) });
  } catch (e) {
    if (!(e instanceof ImageUnavailableError)) throw e;
    skip = e.message;
  }
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as T;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const termText = (page: Page, name: string) =>
  page.evaluate(
    (n) =>
      (globalThis as unknown as { gunyahTerminalText(n: string): string | null })
        .gunyahTerminalText(
          n,
        ),
    name,
  );

interface ApiVm {
  vmid: number;
  name: string;
  status: string;
}

const apiVms = (page: Page) =>
  page.evaluate(() =>
    fetch("/api/vms").then((r) => r.json()).then((j) => j.vms as ApiVm[])
  ) as Promise<ApiVm[]>;

/** Physical RAM now: every VM has a region of its own (tools/system/vm_ram.ts). */
const rootOwned = (page: Page) =>
  page.evaluate(() =>
    fetch("/api/state").then((r) => r.json()).then((s) =>
      (s.memory.ram as { size: number }[]).reduce((n, r) => n + r.size, 0)
    )
  ) as Promise<number>;

/** Sizes of the SSE stream's first `state` event and of the `delta` events over `ms`. */
async function sseSizes(
  openUrl: string,
  ms: number,
): Promise<{ state: number; deltaMedian: number; deltas: number }> {
  const url = new URL(openUrl);
  const token = url.searchParams.get("token")!;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), ms);
  const sizes: { state: number; deltas: number[] } = { state: 0, deltas: [] };
  try {
    const res = await fetch(new URL("/api/events?interval=500", url), {
      headers: { authorization: `Bearer ${token}` },
      signal: ctl.signal,
    });
    let buf = "";
    for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      for (let end = buf.indexOf("\n\n"); end >= 0; end = buf.indexOf("\n\n")) {
        const ev = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = /^data: (.*)$/m.exec(ev)?.[1] ?? "";
        if (ev.startsWith("event: state")) sizes.state = data.length;
        if (ev.startsWith("event: delta")) sizes.deltas.push(data.length);
      }
    }
  } catch (e) {
    if (!(e instanceof DOMException && e.name === "AbortError")) throw e;
  } finally {
    clearTimeout(timer);
  }
  const d = sizes.deltas.slice().sort((a, b) => a - b);
  return { state: sizes.state, deltaMedian: d[Math.floor(d.length / 2)] ?? 0, deltas: d.length };
}

async function typeInTerminal(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 5 });
}

Deno.test({
  name: "browser: terminal, Ctrl-C, colours, VM lifecycle from the page, draw cost, system ended",
  ignore: skip !== "",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // One folder per run: worktrees and parallel runs share the images cache.
    const guestDir = `${cacheRoot()}/images/dashboard-browser-test-${Deno.pid}`;
    await Deno.mkdir(guestDir, { recursive: true });
    await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
    const guest = `${guestDir}/hello.bin`;
    await Deno.writeFile(guest, printThenWaitGuest("hello from vm2\r\n"));

    const boot = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", MAIN, "boot", "--dashboard", "127.0.0.1:0"],
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let bootLog = "";
    let openUrl = "";
    const stderr = (async () => {
      const dec = new TextDecoder();
      for await (const chunk of boot.stderr) {
        bootLog += dec.decode(chunk, { stream: true });
        const m = /dashboard: (http:\/\/\S+\?token=[0-9a-f]+)/.exec(bootLog);
        if (m) openUrl = m[1];
      }
    })();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox"],
    });
    const pageErrors: string[] = [];
    let exited: Deno.CommandStatus | null = null;
    const status = boot.status.then((s) => (exited = s));
    try {
      await until("the boot to print the dashboard URL", () => Promise.resolve(openUrl), 120_000);
      const page = await browser.newPage({ viewport: { width: 1500, height: 1300 } });
      page.on("dialog", (d) => d.accept());
      page.on("pageerror", (e) => pageErrors.push(e.message));
      await page.goto(openUrl);
      assert(!page.url().includes("token="), "the token left the address bar");

      // The overview lists the primary VM.
      await until(
        "the VM table",
        async () => (await page.textContent("#vms"))?.includes("primary"),
      );

      // The terminal shows the boot log, then the shell.
      await until(
        "the shell prompt",
        async () => (await termText(page, "primary"))?.includes("Welcome to gunyah-ts"),
        BOOT_TIMEOUT_MS,
      );
      const log = (await termText(page, "primary"))!;
      assert(log.includes("Booting Linux on physical CPU"), "the boot log from the first line");
      await page.click(".term:not(.hidden)");
      await page.waitForTimeout(500);

      // sleep 100, interrupted with Ctrl-C well before it ends.
      await typeInTerminal(page, "sleep 100\r");
      await page.waitForTimeout(2000);
      const interruptedAt = Date.now();
      await page.keyboard.press("Control+C");
      await typeInTerminal(page, "echo after-ctrl-c-$((6*7))\r");
      await until(
        "the shell back after Ctrl-C",
        async () => /\nafter-ctrl-c-42/.test((await termText(page, "primary")) ?? ""),
        60_000,
      );
      assert(Date.now() - interruptedAt < 60_000, "sleep 100 did not run to its end");
      assert((await termText(page, "primary"))!.includes("^C"), "the tty echoed ^C");

      // Colours: ls --color=always paints directory names with an ANSI palette colour.
      await typeInTerminal(page, "clear; ls --color=always /\r");
      await until(
        "the listing",
        async () => /\bproc\b/.test((await termText(page, "primary")) ?? ""),
      );
      const coloured = await page.evaluate(() => {
        const terms = (globalThis as unknown as {
          gunyahTerminals: Record<
            string,
            {
              name: string;
              term: {
                buffer: {
                  active: {
                    length: number;
                    getLine(i: number): {
                      length: number;
                      getCell(
                        x: number,
                      ): { getChars(): string; isFgPalette(): boolean } | undefined;
                    };
                  };
                };
              };
            }
          >;
        }).gunyahTerminals;
        const t = Object.values(terms).find((t) => t.name === "primary")!;
        const b = t.term.buffer.active;
        let n = 0;
        for (let i = 0; i < b.length; i++) {
          const line = b.getLine(i);
          for (let x = 0; x < line.length; x++) {
            const cell = line.getCell(x);
            if (cell && cell.getChars().trim() && cell.isFgPalette()) n++;
          }
        }
        return n;
      });
      assert(coloured > 0, "some characters are drawn in an ANSI palette colour");
      await page.screenshot({ path: `${SCREENSHOT_DIR}/terminal.png` });

      // A VM created from the page starts, is reset, force-stopped and deleted; its RAM returns.
      const ramBefore = await rootOwned(page);
      await page.fill('#create input[name="name"]', "vm2");
      await page.fill('#create input[name="memory"]', "16M");
      await page.fill('#create input[name="vcpus"]', "1");
      await page.fill('#create input[name="kernel"]', guest);
      await page.fill('#create input[name="initrd"]', "none");
      await page.click('#create button[type="submit"]');
      await until(
        "vm2 running",
        async () => (await apiVms(page)).find((v) => v.name === "vm2" && v.status === "running"),
      );
      await page.click('#console-tabs button:has-text("vm2")');
      await until(
        "vm2's output",
        async () => (await termText(page, "vm2"))?.includes("hello from vm2"),
      );
      await page.screenshot({ path: `${SCREENSHOT_DIR}/created-vm.png` });
      const vm2 = (await apiVms(page)).find((v) => v.name === "vm2")!;
      const ramDuring = await rootOwned(page);
      assertEquals(ramDuring - ramBefore, 16 << 20, "vm2's RAM is a 16 MiB region of its own");

      await page.click(`button[data-act="restart"][data-name="vm2"]`);
      await until(
        "the reset message",
        async () => (await page.textContent("#msg"))?.includes("reset"),
      );
      await until(
        "vm2 running again",
        async () => (await apiVms(page)).find((v) => v.name === "vm2" && v.status === "running"),
      );
      await until(
        "vm2's output after the reset",
        async () => (await termText(page, "vm2"))?.includes("hello from vm2"),
      );

      await page.click(`button[data-act="stop"][data-name="vm2"]`);
      await until(
        "vm2 stopped",
        async () => (await apiVms(page)).find((v) => v.name === "vm2" && v.status === "exited"),
      );
      await page.click(`button[data-act="delete"][data-name="vm2"]`);
      await until("vm2 gone", async () => !(await apiVms(page)).some((v) => v.name === "vm2"));
      const msg = (await page.textContent("#msg"))!;
      assert(msg.includes(`VMID ${vm2.vmid} freed`), msg);
      const ramAfter = await rootOwned(page);
      console.error(
        `[browser] physical RAM before vm2 ${ramBefore} B, with it ${ramDuring} B, ` +
          `after its delete ${ramAfter} B`,
      );
      assertEquals(ramAfter, ramBefore, "the deleted VM's RAM region is gone");

      // Five VMs: the page's draw cost (reported).
      for (let i = 3; i <= 6; i++) {
        const r = await page.evaluate(
          ([name, kernel]) =>
            fetch("/api/vms", {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ name, memory: "16M", vcpus: 1, kernel, initrd: "none" }),
            }).then((r) => r.status),
          [`vm${i}`, guest],
        );
        assertEquals(r, 201);
      }
      await until(
        "five VMs on the page",
        async () => ((await page.textContent("#vms")) ?? "").includes("vm6"),
      );
      await page.evaluate(() => {
        const g = globalThis as unknown as {
          gunyahDrawMs: number[];
          gunyahPanelMs: Record<string, number[]>;
        };
        g.gunyahDrawMs.length = 0;
        g.gunyahPanelMs = {};
      });
      await page.waitForTimeout(6000);
      const draws = (await page.evaluate(() =>
        (globalThis as unknown as { gunyahDrawMs: number[] }).gunyahDrawMs.slice()
      )).sort((a, b) =>
        a - b
      );
      const median = draws[Math.floor(draws.length / 2)] ?? NaN;
      const panels = await page.evaluate(() => {
        const all = (globalThis as unknown as { gunyahPanelMs: Record<string, number[]> })
          .gunyahPanelMs;
        const out: Record<string, number> = {};
        for (const [k, v] of Object.entries(all)) {
          const s = v.slice(-10).sort((a, b) => a - b);
          out[k] = Math.round(s[Math.floor(s.length / 2)] * 100) / 100;
        }
        return out;
      });
      const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "?")).split(" ")[0];
      const sse = await sseSizes(openUrl, 4000);
      const report = {
        vms: 5,
        draws: draws.length,
        medianMs: Math.round(median * 100) / 100,
        maxMs: Math.round((draws.at(-1) ?? NaN) * 100) / 100,
        sseStateBytes: sse.state,
        sseDeltaBytesMedian: sse.deltaMedian,
        sseDeltas: sse.deltas,
        panelMedianMs: panels,
        loadavg1: load,
      };
      console.error(`[browser] page draw cost with 5 VMs: ${JSON.stringify(report)}`);
      await Deno.writeTextFile(`${SCREENSHOT_DIR}/draw-cost.json`, JSON.stringify(report, null, 2));
      assert(draws.length >= 3, "the page drew while we watched");
      await page.click('#console-tabs button:has-text("primary")');
      await page.screenshot({ path: `${SCREENSHOT_DIR}/overview.png`, fullPage: true });
      await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard.png` }); // the README's

      // poweroff -f in the primary's terminal ends the system; the page says so.
      await page.click(".term:not(.hidden)");
      await typeInTerminal(page, "poweroff -f\r");
      await until("system ended", async () =>
        await page.evaluate(() =>
          (globalThis as unknown as { document: { body: { className: string } } }).document.body
            .className.split(" ").includes("ended")
        ), 120_000);
      assert((await page.textContent("#ended"))!.includes("System ended"));
      assert((await page.textContent("#vms"))!.includes("primary"), "the last data stays");
      await page.screenshot({ path: `${SCREENSHOT_DIR}/system-ended.png`, fullPage: true });
      assertEquals(pageErrors, [], "the page's script raised no error");
      await until("the boot to exit", () =>
        Promise.resolve(exited !== null), 60_000);
      assertEquals(exited!.code, 0, bootLog);
    } catch (e) {
      for (const p of browser.contexts().flatMap((c) => c.pages())) {
        await p.screenshot({ path: `${SCREENSHOT_DIR}/failure.png`, fullPage: true }).catch(
          () => {},
        );
      }
      throw new Error(`${(e as Error).message}; page errors: ${pageErrors.join("; ") || "none"}`, {
        cause: e,
      });
    } finally {
      await browser.close();
      if (exited === null) {
        try {
          boot.kill("SIGKILL");
        } catch {
          // exited meanwhile
        }
      }
      await boot.stdin.close().catch(() => {});
      await status;
      await stderr;
      await Deno.remove(guestDir, { recursive: true }).catch(() => {});
    }
  },
});
