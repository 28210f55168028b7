import { expect, test, type APIRequestContext } from '@playwright/test';
import { env, openSignedIn } from './env';

// The fake upstream lists claude-fake-1 and claude-fake-2 at /v1/models.
async function createProvider(request: APIRequestContext, name: string, baseUrl: string): Promise<void> {
	const response = await request.post(`${env.url}/api/settings/providers`, {
		headers: { Authorization: `Bearer ${env.token}` },
		data: { name, backend_type: 'openai_compatible', base_url: baseUrl }
	});
	expect(response.status()).toBe(201);
}

test.describe.serial('Rules editor model names', () => {
	test.beforeAll(async ({ request }) => {
		await createProvider(request, 'listed-echo', env.upstream);
		// Nothing listens on port 9 of loopback: the list cannot be fetched.
		await createProvider(request, 'down-echo', 'http://127.0.0.1:9');
	});

	test("offers the target provider's listed names, says when a list could not be fetched, and refreshes", async ({ page }) => {
		await openSignedIn(page, '/routing');
		await page.getByRole('button', { name: '+ Add rule' }).click();
		await page.getByLabel('Target 1', { exact: true }).selectOption({ label: 'listed-echo' });
		const field = page.getByLabel('Model sent to target 1');
		await expect(field).toHaveAttribute('list', /.+/);
		const listId = await field.getAttribute('list');
		await expect(page.locator(`datalist[id="${listId}"] option`)).toHaveCount(2);
		const names = await page.locator(`datalist[id="${listId}"] option`).evaluateAll((options) =>
			options.map((o) => (o as HTMLOptionElement).value)
		);
		expect(names).toEqual(['claude-fake-1', 'claude-fake-2']);
		await expect(page.getByText('2 listed')).toBeVisible();

		await page.getByLabel('Target 1', { exact: true }).selectOption({ label: 'down-echo' });
		await expect(page.getByText(/Could not fetch its model list/)).toBeVisible();
		await expect(field).not.toHaveAttribute('list', /.+/);
		await page.getByRole('button', { name: 'Refresh model list of target 1' }).click();
		await expect(page.getByText(/Could not fetch its model list/)).toBeVisible();

		// A name the list leaves out is still taken.
		await field.fill('unlisted-model');
		await expect(field).toHaveValue('unlisted-model');
	});
});
