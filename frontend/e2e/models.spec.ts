import { expect, test, type APIRequestContext } from '@playwright/test';
import { apiGet, docScreenshot, openSignedIn } from './env';

// What e2e/serve.py put in place: a tiny model in the data dir, two repos on the fake Hub.
const LOCAL = 'tiny-llama';
const QUICK = 'e2e-org/tiny-quick';
const SLOW = 'e2e-org/tiny-slow';

interface Model {
	name: string;
	loaded: boolean;
	pinned: boolean;
}

async function model(request: APIRequestContext, name: string): Promise<Model | undefined> {
	return (await apiGet<{ models: Model[] }>(request, '/api/models')).models.find((m) => m.name === name);
}

test.describe.serial('Models page', () => {
	test('lists the local model, and loads, pins, unpins and unloads it', async ({ page, request }) => {
		await openSignedIn(page, '/models');
		const row = page.locator(`[data-model="${LOCAL}"]`);
		await expect(row.getByTestId('size')).toHaveText('510 kB');
		await expect(row).toContainText('llama · text generation');
		await expect(page.getByTestId('engine-loaded')).toHaveText('0 of 2 models');

		await row.getByRole('button', { name: `Load ${LOCAL}` }).click();
		await expect(row.getByTestId('loaded')).toBeVisible();
		await expect(page.getByTestId('engine-loaded')).toHaveText('1 of 2 models');
		expect(await model(request, LOCAL)).toMatchObject({ loaded: true, pinned: false });

		await row.getByRole('button', { name: `Pin ${LOCAL}` }).click();
		await expect(row.getByTestId('pinned')).toBeVisible();
		expect(await model(request, LOCAL)).toMatchObject({ loaded: true, pinned: true });
		await row.getByRole('button', { name: `Unpin ${LOCAL}` }).click();
		await expect(row.getByTestId('pinned')).toHaveCount(0);

		await row.getByRole('button', { name: `Unload ${LOCAL}` }).click();
		await expect(row.getByTestId('loaded')).toHaveCount(0);
		await expect(page.getByTestId('engine-loaded')).toHaveText('0 of 2 models');
		expect(await model(request, LOCAL)).toMatchObject({ loaded: false, pinned: false });
	});

	test('downloads a repo with a live progress bar, then lists the model', async ({ page }) => {
		await openSignedIn(page, '/models');
		await page.getByLabel('Hugging Face repo').fill(QUICK);
		await page.getByRole('button', { name: 'Download', exact: true }).click();
		const item = page.locator(`[data-download="${QUICK}"]`);
		await expect(item).toHaveAttribute('data-status', 'downloading');
		await expect(page.getByLabel('Hugging Face repo')).toHaveValue('');
		// Bytes arrive while the page watches (the fake Hub paces the files over about two seconds).
		await expect(item.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^[1-9]\d*$/);
		await expect(item).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
		await expect(item.getByTestId('progress')).toContainText('510 kB of 510 kB · 5/5 files · 100%');
		await expect(page.locator(`[data-model="${QUICK}"]`)).toBeVisible();
		await item.getByRole('button', { name: `Dismiss download of ${QUICK}` }).click();
		await expect(item).toHaveCount(0);
	});

	test('says why a download cannot start', async ({ page }) => {
		await openSignedIn(page, '/models');
		await page.getByLabel('Hugging Face repo').fill('e2e-org/nope');
		await page.getByRole('button', { name: 'Download', exact: true }).click();
		await expect(page.getByRole('alert')).toContainText("No model repo 'e2e-org/nope' on the Hugging Face Hub.");
	});

	test('follows a running download again after a reload, and cancels it', async ({ page, request }) => {
		await openSignedIn(page, '/models');
		await page.getByLabel('Hugging Face repo').fill(SLOW);
		await page.getByRole('button', { name: 'Download', exact: true }).click();
		const item = page.locator(`[data-download="${SLOW}"]`);
		await expect(item).toHaveAttribute('data-status', 'downloading');

		await page.reload();
		await expect(item).toHaveAttribute('data-status', 'downloading');
		const bar = item.getByRole('progressbar');
		const before = Number(await bar.getAttribute('aria-valuenow'));
		await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(before);
		await page.locator(`[data-model="${LOCAL}"]`).getByRole('button', { name: `Load ${LOCAL}` }).click();
		await expect(page.getByTestId('engine-loaded')).toHaveText('1 of 2 models');
		await docScreenshot(page, 'models');

		await item.getByRole('button', { name: `Cancel download of ${SLOW}` }).click();
		await expect(item).toHaveAttribute('data-status', 'cancelled');
		const { downloads } = await apiGet<{ downloads: { repo_id: string; status: string }[] }>(request, '/api/models/downloads');
		expect(downloads.find((d) => d.repo_id === SLOW)?.status).toBe('cancelled');
		expect(await model(request, SLOW)).toBeUndefined();
	});

	test('deletes a model after a confirm dialog', async ({ page, request }) => {
		await openSignedIn(page, '/models');
		await page.getByRole('button', { name: `Delete ${QUICK}` }).click();
		const dialog = page.getByRole('alertdialog');
		await expect(dialog).toContainText(`Delete ${QUICK}?`);
		await dialog.getByRole('button', { name: 'Delete' }).click();
		await expect(page.locator(`[data-model="${QUICK}"]`)).toHaveCount(0);
		expect(await model(request, QUICK)).toBeUndefined();
	});
});
