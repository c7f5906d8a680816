import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/writeReport.js';
import type { DiffLine, RowOutcome } from '../../src/types.js';
import { anOutcome, aReport, aTempDir, noSecrets } from './reportBuilders.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
/** Kept after the run so a person can look at the page. */
const SCREENSHOT = path.join(os.tmpdir(), 'customer-sync-report.png');

if (!hasChromium) {
  console.log(`report.html browser test skipped: Chromium is not installed (${CHROMIUM} not found).`);
}

/** A dry run of a small file with a bit of everything a data owner meets. */
function aRealisticReport(): ReturnType<typeof aReport> {
  const outcomes: RowOutcome[] = [];
  const diffs: DiffLine[] = [];
  for (let row = 1; row <= 120; row++) {
    if (row % 17 === 0) {
      outcomes.push(anOutcome(row, 'rejected', { reason: `primaryEmail "user${row}@" is not valid` }));
    } else if (row % 29 === 0) {
      outcomes.push(anOutcome(row, 'conflict', { reason: 'username is held by a customer of retailer 2' }));
    } else if (row % 5 === 0) {
      outcomes.push(anOutcome(row, 'updated', { changedFields: ['lastName'] }));
      diffs.push({
        username: `1_user${row}@example.com`,
        field: 'lastName',
        before: 'Smith',
        after: 'Smith-Jones',
        input: ' Smith-Jones',
      });
    } else if (row % 7 === 0) {
      outcomes.push(anOutcome(row, 'created', { changedFields: ['primaryEmail'] }));
      diffs.push({
        username: `1_user${row}@example.com`,
        field: 'primaryEmail',
        before: null,
        after: `user${row}@example.com`,
        input: `User${row}@Example.com`,
      });
    } else if (row === 3) {
      outcomes.push(anOutcome(row, 'duplicate', { reason: 'same as row 2' }));
    } else {
      outcomes.push(anOutcome(row, 'unchanged'));
    }
  }
  outcomes.push(
    anOutcome(121, 'rejected', { username: '<script>alert(1)</script>', reason: 'firstName is over 50 characters' }),
  );
  const throughput = Array.from({ length: 40 }, (_, index) => ({
    elapsedMs: (index + 1) * 3000,
    done: Math.round(3 * (index + 1) + 2 * Math.sin(index)),
  }));
  return aReport('dry-run', outcomes, { diffs: () => diffs, throughput });
}

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

describe('report.html in a browser', () => {
  let temp: ReturnType<typeof aTempDir>;
  beforeAll(() => {
    temp = aTempDir();
    writeReport(temp.dir, aRealisticReport(), noSecrets);
  });
  afterAll(() => temp.cleanup());
  const pageUrl = () => pathToFileURL(path.join(temp.dir, 'report.html')).href;

  it.skipIf(!hasChromium)(
    'shows the totals as text and draws both charts',
    async () => {
      const browser = await launch();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const remoteRequests: string[] = [];
        page.on('request', (request) => {
          if (!request.url().startsWith('file:')) remoteRequests.push(request.url());
        });
        const dialogs: string[] = [];
        page.on('dialog', async (dialog) => {
          dialogs.push(dialog.message());
          await dialog.dismiss();
        });
        await page.goto(pageUrl());

        const cards = page.locator('.cards');
        expect(await cards.getByText('121', { exact: true }).isVisible()).toBe(true);
        expect(await cards.getByText('customers would be created').isVisible()).toBe(true);
        expect(await page.getByText(/^\d+ rows need attention\.$/).isVisible()).toBe(true);
        expect(await page.getByText('<script>alert(1)</script>').isVisible()).toBe(true);

        const charts = page.locator('svg.chart');
        expect(await charts.count()).toBe(2);
        for (const chart of await charts.all()) {
          const box = await chart.boundingBox();
          expect(box?.width ?? 0).toBeGreaterThan(100);
          expect(box?.height ?? 0).toBeGreaterThan(50);
        }
        expect(dialogs).toEqual([]);
        expect(remoteRequests).toEqual([]);
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
      } finally {
        await browser.close();
      }
    },
    60_000,
  );

  it.skipIf(!hasChromium)(
    "searches and filters the rows with its own script, which the page's policy allows; without it every row shows",
    async () => {
      const browser = await launch();
      try {
        const page = await browser.newPage();
        const refused: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy|Refused/i.test(message.text())) refused.push(message.text());
        });
        page.on('pageerror', (error) => refused.push(error.message));
        await page.goto(pageUrl());
        const attention = page.locator('#attention-rows tbody tr');
        const visible = async (rows: typeof attention) => {
          let count = 0;
          for (const row of await rows.all()) if (await row.isVisible()) count++;
          return count;
        };
        const total = await attention.count();
        expect(total).toBeGreaterThan(8);
        const bar = page.locator('.filters[data-for="attention-rows"]');
        expect(await bar.isVisible()).toBe(true);

        await bar.locator('input').fill('user34@');
        expect(await visible(attention)).toBe(1);
        expect(await bar.locator('.count').textContent()).toBe(`1 of ${total} shown`);
        await bar.locator('input').fill('');
        await bar.locator('select').selectOption('conflict');
        const conflicts = await visible(attention);
        expect(conflicts).toBe(4);
        for (const row of await attention.all()) {
          if (await row.isVisible()) expect(await row.getAttribute('data-outcome')).toBe('conflict');
        }
        await bar.locator('input').fill('retailer 2 USER58');
        expect(await visible(attention)).toBe(1);

        const changes = page.locator('#change-rows tbody tr');
        const changeBar = page.locator('.filters[data-for="change-rows"]');
        await changeBar.locator('select').selectOption('lastName');
        const lastNames = await visible(changes);
        expect(lastNames).toBeGreaterThan(0);
        expect(lastNames).toBeLessThan(await changes.count());
        // Row 14 changed only its email: hidden while the list shows lastName changes, with its file cell once all show.
        const email = page.getByText('file: User14@Example.com');
        expect(await email.isVisible()).toBe(false);
        await changeBar.locator('select').selectOption('');
        expect(await visible(changes)).toBe(await changes.count());
        expect(await email.isVisible()).toBe(true);
        expect(refused).toEqual([]);

        const withoutScript = await browser.newContext({ javaScriptEnabled: false });
        const plain = await withoutScript.newPage();
        await plain.goto(pageUrl());
        expect(await plain.locator('.filters').first().isVisible()).toBe(false);
        expect(await visible(plain.locator('#attention-rows tbody tr'))).toBe(total);
        await withoutScript.close();
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
