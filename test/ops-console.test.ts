import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { Role } from '../src/platform/auth/roles.js';
import type { World } from './support/fixtures.js';
import { launchChromium } from './support/browser.js';
import type { GraphQLClient, TestApp } from './support/harness.js';
import { recordUsage, startUsageTest, usageItem } from './support/usage-fixtures.js';

/*
 * The ops console at /console/ in headless Chromium, as its users see it: built by `npm install`
 * (the prepare script), served by the API server, signed in with access tokens.
 */
const SCREENSHOTS = 'test-results/screenshots';

let test: TestApp;
let world: World;
let gateway: GraphQLClient;
let browser: Browser;
let operatorToken: string;

beforeAll(async () => {
  ({ test, world, gateway } = await startUsageTest());
  operatorToken = await test.tokenFor(Role.PLATFORM_ADMIN);
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await test?.stop();
});

const consoleUrl = () => test.app.url.replace(/\/graphql$/, '/console/');

async function signIn(token: string, locale = 'en-GB'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(consoleUrl());
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.locator('.shell').waitFor();
  return page;
}

/** A cell's text once it is loaded (not the placeholder). */
async function loadedText(page: Page, selector: string): Promise<string> {
  await page.locator(`${selector} .spent`).waitFor();
  return (await page.textContent(`${selector} .spent`))!;
}

describe('the ops console', () => {
  it('refuses a bad token at sign-in with the API’s reason', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(consoleUrl());
    await page.fill('#token', 'bpat_not_a_token_of_this_server_000000000000');
    await page.click('button[type=submit]');
    await page.locator('[role=alert]', { hasText: 'A valid access token is required' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/console-sign-in.png` });
  });

  it("shows the tenant's live spend, which moves within 1 s of a recorded usage batch", async () => {
    const page = await signIn(world.a.tokens.TENANT_ADMIN);
    const tenantToday = `tr[data-scope="${world.a.id}"] td.today`;
    const keyMonth = `tr[data-scope="${world.a.apiKeyId}"] td.month`;
    const before = [await loadedText(page, tenantToday), await loadedText(page, keyMonth)];
    await page.waitForTimeout(300); // the page's subscriptions are open

    await recordUsage(gateway, [usageItem(world.a.apiKeyId, { inputTokens: 400_000, outputTokens: 100_000 })]);
    const recorded = performance.now();
    await page.locator(`${tenantToday} .spent`, { hasNotText: before[0] }).waitFor({ timeout: 1_000 });
    const seenAfterMs = performance.now() - recorded;
    expect(seenAfterMs).toBeLessThan(1_000);
    expect(await page.textContent(`${tenantToday} .spent`)).toBe('¥2.00');
    expect(await page.textContent(`${keyMonth} .spent`)).not.toBe(before[1]);
    // Every department up the key's tree moved too.
    for (const departmentId of [world.a.rootDepartmentId, world.a.childDepartmentId, world.a.grandchildDepartmentId])
      expect(await page.textContent(`tr[data-scope="${departmentId}"] td.today .spent`)).toBe('¥2.00');
    await page.screenshot({ path: `${SCREENSHOTS}/console-spend.png`, fullPage: true });
  });

  it('sets a budget, and an alert raised by usage arrives live and is acknowledged', async () => {
    const page = await signIn(world.a.tokens.TENANT_ADMIN);
    await page.goto(`${consoleUrl()}#/budgets`);
    await page.locator('form.inline').waitFor();
    // Bad input is answered by the API's rule, on the field.
    await page.selectOption('select[aria-label="Scope"]', world.a.apiKeyId);
    await page.fill('input[aria-label="Limit"]', '-1');
    await page.click('form.inline button[type=submit]');
    await page.locator('form.inline [role=alert]', { hasText: 'input.limit' }).waitFor();
    await page.fill('input[aria-label="Limit"]', '3');
    await page.click('form.inline button[type=submit]');
    await page.locator('table.budgets td', { hasText: '¥3.00' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/console-budgets.png`, fullPage: true });

    await page.goto(`${consoleUrl()}#/alerts`);
    await page.locator('section h2', { hasText: 'Alerts' }).waitFor();
    await page.waitForTimeout(300); // the alert subscription is open
    await recordUsage(gateway, [usageItem(world.a.apiKeyId, { inputTokens: 400_000, outputTokens: 100_000 })]); // the key's month reaches ¥4.00 > 50 %, 80 %, 100 % of ¥3
    const alert = page.locator('table.alerts tr:has([data-value=BUDGET_THRESHOLD])').first();
    await alert.waitFor({ timeout: 5_000 });
    await page.screenshot({ path: `${SCREENSHOTS}/console-alerts.png`, fullPage: true });
    await alert.locator('button', { hasText: 'Acknowledge' }).click();
    await page.locator('table.alerts tr', { hasText: 'Acknowledged' }).first().waitFor();
  });

  it('lets the operator settle a period and follow the run, and download a bill, in Chinese', async () => {
    await recordUsage(gateway, [usageItem(world.b.apiKeyId, { occurredAt: '2026-10-15T08:00:00.000Z' })]);
    const page = await signIn(operatorToken, 'zh-CN');
    await page.goto(`${consoleUrl()}#/settlement`);
    await page.fill('input[aria-label="周期"]', '2026-10');
    await page.click('form.inline button[type=submit]');
    await page.locator('table.runs tr', { hasText: '2026-10' }).locator('.tag[data-value=COMPLETED]').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SCREENSHOTS}/console-settlement.png`, fullPage: true });

    await page.goto(`${consoleUrl()}#/bills`);
    await page.selectOption('select[aria-label="租户"]', world.b.id); // the operator picks the tenant
    const bill = page.locator('table.bills tr', { hasText: '2026-10' }).first();
    await bill.waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/console-bills.png`, fullPage: true });
    const download = page.waitForEvent('download');
    await bill.locator('a', { hasText: 'PDF' }).click();
    expect((await download).suggestedFilename()).toMatch(/^bill-.+\.pdf$/);
    await (await download).saveAs(`${SCREENSHOTS}/console-bill.pdf`);
  }, 60_000);
});
