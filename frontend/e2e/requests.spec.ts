import { expect, test } from '@playwright/test';
import { docScreenshot, openSignedIn } from './env';

// Runs after playground.spec.ts (files run in name order, one worker): its chats are in the log.
test.describe.serial('Requests page', () => {
	test("shows the playground's requests, with provider, status, timings and tokens", async ({ page }) => {
		await openSignedIn(page, '/requests');
		const rows = page.locator('tr[data-request]');
		// The log is written in batches: refresh until the playground's calls are there.
		await expect(async () => {
			await page.getByRole('button', { name: 'Refresh' }).click();
			await expect(rows.filter({ hasText: 'echo/claude-fake-1' }).first()).toBeVisible({ timeout: 1000 });
		}).toPass({ timeout: 10_000 });

		const echo = rows.filter({ has: page.locator('[data-col="provider"]', { hasText: 'echo' }) });
		await expect(echo.filter({ hasText: 'anthropic' })).toHaveCount(2);
		const openai = echo.filter({ hasText: 'openai' });
		await expect(openai).toHaveCount(1);
		await expect(openai.locator('[data-col="status"]')).toHaveText('200');
		await expect(openai.locator('[data-col="input"]')).toHaveText('4');
		await expect(openai.locator('[data-col="output"]')).toHaveText('5');
		// The call refused for its unknown key is logged too.
		await expect(page.locator('tr[data-request][data-status="401"]').first()).toBeVisible();
		await docScreenshot(page, 'requests');
	});

	test('filters by status and by provider', async ({ page }) => {
		await openSignedIn(page, '/requests');
		const rows = page.locator('tr[data-request]');
		await expect(rows.first()).toBeVisible();
		await page.getByLabel('Status').selectOption('4xx');
		await expect(rows.first()).toHaveAttribute('data-status', '401');
		expect(await rows.locator('[data-col="status"]').allTextContents()).toEqual(expect.arrayContaining(['401']));
		for (const status of await rows.locator('[data-col="status"]').allTextContents()) expect(status).toMatch(/^4\d\d$/);

		await page.getByLabel('Status').selectOption('');
		await page.getByLabel('Provider').fill('echo');
		await page.getByRole('button', { name: 'Apply' }).click();
		await expect(rows).toHaveCount(3);
		for (const provider of await rows.locator('[data-col="provider"]').allTextContents()) expect(provider).toBe('echo');
	});

	test('exports the filtered log as CSV', async ({ page }) => {
		await openSignedIn(page, '/requests');
		await page.getByLabel('Provider').fill('echo');
		await page.getByRole('button', { name: 'Apply' }).click();
		const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
		expect(download.suggestedFilename()).toBe('request-log.csv');
		const text = await (await download.createReadStream()).toArray();
		const lines = Buffer.concat(text).toString('utf8').trim().split(/\r?\n/);
		expect(lines[0]).toContain('request_id');
		expect(lines.slice(1)).toHaveLength(3);
	});
});
