/**
 * Lighthouse 12.2.3 (the last release that runs on Node 20) in its default mobile mode against
 * the system Chromium: a hosted signup page scores performance ≥ 0.95, accessibility 1.0 and
 * best practices ≥ 0.95. The impression cookie goes along as a header, so the form is measured.
 */
import { test, expect } from '@playwright/test';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { startRelay, type RunningRelay } from '../harness/relay';

const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let relay: RunningRelay;
test.beforeAll(async () => {
  relay = await startRelay({ RELAY_ADMIN_TOKEN: ADMIN_TOKEN });
});
test.afterAll(() => relay?.stop());

test('a hosted page: Lighthouse mobile performance ≥ 0.95, accessibility 1, best practices ≥ 0.95', async () => {
  test.setTimeout(240_000);
  const impression = await relay.newImpression();
  const put = await fetch(`${relay.url}/v1/admin/pages/lighthouse`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Join the Riverside Robotics Club',
      club_name: 'Riverside Robotics',
      description: 'We build small robots and race them on Fridays.',
      fields: ['profile_picture'],
    }),
  });
  expect(put.status).toBe(201);

  // Lighthouse's own advice for a noisy host (here: 2 cores shared by many processes): take the
  // median performance of several runs. Accessibility and best practices must hold in every run.
  const runs = [];
  for (let run = 0; run < 3; run++) runs.push(await measure(impression));
  const performance = runs.map((scores) => scores.performance!).sort((a, b) => a - b)[1]!;
  console.log(`performance per run: ${runs.map((scores) => scores.performance).join(', ')}; median ${performance}`);
  expect(performance).toBeGreaterThanOrEqual(0.95);
  for (const scores of runs) {
    expect(scores.accessibility).toBe(1);
    expect(scores['best-practices']).toBeGreaterThanOrEqual(0.95);
  }
});

async function measure(impression: string): Promise<Record<string, number | null>> {
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: FLAGS });
  try {
    const result = await lighthouse(
      `${relay.url}/join/lighthouse`,
      {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility', 'best-practices'],
        extraHeaders: { Cookie: `vantio_impression=${impression}` },
      },
    );
    const lhr = result!.lhr;
    const scores = Object.fromEntries(Object.entries(lhr.categories).map(([id, category]) => [id, category.score]));
    const failing = Object.values(lhr.audits)
      .filter((audit) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== 'informative')
      .map((audit) => `${audit.id}: ${audit.score}`);
    console.log(`lighthouse ${lhr.lighthouseVersion} (${lhr.configSettings.formFactor}):`, JSON.stringify(scores), failing.join(', '));
    expect(lhr.runtimeError).toBeUndefined();
    expect(lhr.finalDisplayedUrl).toBe(`${relay.url}/join/lighthouse`);
    expect(lhr.configSettings.formFactor).toBe('mobile');
    return scores;
  } finally {
    chrome.kill();
  }
}
