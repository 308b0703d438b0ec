import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ComputeClient } from "@nova/client";
import { buildConsoleUi } from "@nova/console";
import { pino } from "pino";
import { type Browser, chromium } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { createAllInOne, DEFAULT_IMAGE_ID } from "../src/all-in-one.js";

// Debian's chromium (scripts/setup-services.sh installs it); CI sets NOVA_TEST_REQUIRE_SERVICES so a missing
// browser fails there rather than skipping.
const CHROMIUM = "/usr/bin/chromium";
// The screenshots in docs/console are refreshed with NOVA_UPDATE_SCREENSHOTS=1; other runs (CI) take them into a
// scratch folder, so a test run leaves the checkout as it found it.
const SHOTS =
  process.env.NOVA_UPDATE_SCREENSHOTS === "1"
    ? fileURLToPath(new URL("../../../docs/console/", import.meta.url))
    : mkdtempSync(join(tmpdir(), "nova-console-shots-"));

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (running.length) await running.pop()?.();
});

describe("the live console in a real browser", () => {
  it.runIf(existsSync(CHROMIUM) || process.env.NOVA_TEST_REQUIRE_SERVICES)(
    "shows the five steps of a boot in order as servers boot, and a NoValidHost explanation",
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "nova-console-"));
      const uiDir = await buildConsoleUi(join(dataDir, "ui"));
      const aio = await createAllInOne({
        dataDir,
        apiPort: 0,
        consolePort: 0,
        consoleUiDir: uiDir,
        logger: pino({ level: "silent" }),
        env: { OS_DEFAULT__REPORT_INTERVAL: "1", OS_FAKE__HOST_COUNT: "2", OS_FAKE__MEMORY_MB: "8192" },
      });
      const started: typeof aio.services = [];
      running.push(async () => {
        for (const s of started.reverse()) await s.stop();
        await aio.cleanup();
        rmSync(dataDir, { recursive: true, force: true });
      });
      for (const s of aio.services) {
        await s.start();
        started.push(s);
      }
      const browser: Browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      running.push(() => browser.close());
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      await page.goto(aio.consoleUrl()!);
      await page.getByTestId("services").getByText("nova-conductor").waitFor();

      // Servers boot while the page watches: the flows arrive over server-sent events, not by reloading.
      const base = `http://127.0.0.1:${aio.apiPort()}/v2.1`;
      const client = new ComputeClient({ endpoint: base, token: "admin:admin" });
      const ids: string[] = [];
      for (const name of ["web-1", "web-2"]) {
        const s = await client.createServer({ name, flavorRef: "1", imageRef: DEFAULT_IMAGE_ID });
        ids.push(s.id);
      }
      for (const id of ids)
        await client.waitForServerStatus(id, "ACTIVE", { timeoutMs: 20_000, intervalMs: 50 });

      const sequence = page.getByTestId("sequence");
      await sequence.locator('tr[data-step="reply build_and_run_instance"]').waitFor();
      const steps = await sequence.locator("tbody tr").evaluateAll((rows) =>
        rows.map((r) => ({
          step: r.getAttribute("data-step"),
          queue: r.children[3]?.textContent ?? "",
          msgId: r.children[4]?.textContent ?? "",
          replyQueue: r.children[5]?.textContent ?? "",
          took: r.children[7]?.textContent ?? "",
        })),
      );
      const boot = [
        "cast schedule_and_build_instances",
        "call select_destinations",
        "reply select_destinations",
        "call build_and_run_instance",
        "reply build_and_run_instance",
      ];
      // The five steps appear in this order (the compute's own calls to the conductor may sit between them).
      const at = boot.map((b) => steps.findIndex((s) => s.step === b));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      const [cast, call, reply, build] = at.map((i) => steps[i]!);
      expect(cast!.queue).toBe("conductor");
      expect(cast!.msgId).toBe("—");
      expect(call!.queue).toBe("scheduler");
      expect(call!.msgId).toMatch(/^[0-9a-f]{8}$/);
      expect(call!.replyQueue).toMatch(/^reply_/);
      expect(reply!.msgId).toBe(call!.msgId);
      expect(reply!.queue).toMatch(/^reply_/);
      expect(cast!.took).toMatch(/ms$/);
      expect(build!.queue).toMatch(/^compute\.fake-\d$/);
      for (const i of at) expect(steps[i]!.took).toMatch(/ms$/);

      await page.getByTestId("instances").getByText("web-2").waitFor();
      await page.getByTestId("instances").locator("text=ACTIVE").first().waitFor();
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, "boot-sequence.png"), fullPage: true });

      // A flavor no host can hold (hosts have 8 GiB): the NoValidHost view shows the filter that emptied the list.
      const big = await client.request("POST", "/flavors", {
        body: { flavor: { name: "huge", ram: 16_384, vcpus: 1, disk: 1, id: "huge" } },
      });
      expect(big.status).toBe(200);
      const refused = await client.createServer({
        name: "too-big",
        flavorRef: "huge",
        imageRef: DEFAULT_IMAGE_ID,
      });
      await client.waitForServerStatus(refused.id, "ERROR", {
        timeoutMs: 20_000,
        intervalMs: 50,
        failOn: [],
      });
      const view = page.getByTestId("no-valid-host");
      await view.locator(".stage.emptied").first().waitFor();
      const text = await view.textContent();
      expect(text).toMatch(/no host left after \w+/);
      expect(text).toContain("fake-1");
      await view.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, "no-valid-host.png"), fullPage: true });
      for (const shot of ["boot-sequence.png", "no-valid-host.png"])
        expect(statSync(join(SHOTS, shot)).size).toBeGreaterThan(5_000);
    },
    90_000,
  );
});
