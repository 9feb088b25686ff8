/** The capture-only bundle handing the impression to an existing signup system. */
import { expect, test } from '../harness/fixtures';

test('adds the impression to opted-in forms and to links towards configured domains', async ({ page, site, relay, impression, cspViolations }) => {
  expect(relay.url).toBeTruthy(); // the site embeds this relay's bundle
  await page.goto(`${site.origin}/tally?impression_id=${impression}&ref=club`);
  await expect(page.locator('form.tally input[type="hidden"][name="impression_id"]')).toHaveValue(impression);
  await expect(page.locator('#tally')).toHaveAttribute('href', `https://tally.so/r/abc?lang=en&impression_id=${impression}`);
  await expect(page.locator('#other')).toHaveAttribute('href', 'https://example.org/');
  expect(new URL(page.url()).search).toBe('?ref=club');
  expect(await page.evaluate(() => localStorage.getItem('vantio_imp'))).toContain(impression);
  expect(await cspViolations()).toEqual([]);
});
