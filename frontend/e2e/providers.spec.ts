import { expect, test } from '@playwright/test';
import { apiGet, docScreenshot, env, openSignedIn } from './env';

interface Provider {
	name: string;
	base_url: string | null;
	has_key: boolean;
	key_last4: string | null;
}

async function providers(request: Parameters<typeof apiGet>[0]): Promise<Provider[]> {
	return (await apiGet<{ providers: Provider[] }>(request, '/api/settings/providers')).providers;
}

test.describe.serial('Providers page', () => {
	test('lists every provider type the server knows', async ({ page, request }) => {
		const { providers: specs } = await apiGet<{ providers: { label: string; group: string }[] }>(
			request,
			'/api/settings/providers/defaults'
		);
		await openSignedIn(page, '/providers');
		// Each under its group: cloud providers, local servers, any compatible endpoint.
		const groups: Record<string, string> = {
			cloud: 'Cloud providers',
			local_server: 'Local servers',
			generic: 'Any compatible endpoint'
		};
		for (const spec of specs) {
			const group = page.getByRole('region', { name: groups[spec.group], exact: true });
			await expect(group.getByRole('heading', { level: 2, name: spec.label, exact: true })).toBeVisible();
		}
	});

	test('adds two Groq credentials; the default URL is a placeholder, never a value', async ({ page, request }) => {
		await openSignedIn(page, '/providers');
		const groq = page.locator('section[data-type="groq"]');
		await groq.getByRole('button', { name: 'Add Groq credential' }).click();
		const url = groq.getByLabel('Base URL');
		await expect(url).toHaveAttribute('placeholder', 'https://api.groq.com/openai');
		await expect(url).toHaveValue('');
		await groq.getByLabel('Name').fill('groq-team');
		await groq.getByLabel('API key').fill('gsk_test_key_1234');
		await page.getByRole('heading', { level: 1 }).click(); // move focus off the key field
		await docScreenshot(groq, 'provider-form');
		await groq.getByRole('button', { name: 'Save and test' }).click();

		const row = groq.locator('[data-provider="groq-team"]');
		await expect(row.getByTestId('key')).toHaveText('••••1234');
		// No network here: the cloud default is unreachable, and the UI says so after saving.
		await expect(row.getByRole('status')).toContainText('Saved, but the connection test failed:');
		await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'fail');

		await groq.getByRole('button', { name: 'Add Groq credential' }).click();
		await groq.getByLabel('Name').fill('groq-personal');
		await groq.getByRole('button', { name: 'Save and test' }).click();
		await expect(groq.locator('[data-provider="groq-personal"]').getByTestId('key')).toHaveText('no key');

		const saved = await providers(request);
		expect(saved.find((p) => p.name === 'groq-team')).toMatchObject({ base_url: null, has_key: true, key_last4: '1234' });
		expect(saved.find((p) => p.name === 'groq-personal')).toMatchObject({ base_url: null, has_key: false });
	});

	test('a custom Anthropic-compatible credential needs a URL and turns green against the upstream', async ({ page, request }) => {
		await openSignedIn(page, '/providers');
		const section = page.locator('section[data-type="anthropic_compatible"]');
		await section.getByRole('button', { name: 'Add Anthropic-compatible credential' }).click();
		await expect(section.getByText('Anthropic protocol', { exact: true })).toBeVisible();
		await expect(section.getByLabel('Protocol')).toHaveCount(0);
		await section.getByLabel('Name').fill('my-claude');
		await section.getByRole('button', { name: 'Save and test' }).click();
		await expect(section.getByText('Anthropic-compatible providers need a base URL (none by default)')).toBeVisible();

		await section.getByLabel('Base URL').fill(`${env.upstream}/v1/`);
		await section.getByRole('button', { name: 'Save and test' }).click();
		const row = section.locator('[data-provider="my-claude"]');
		await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'ok');
		await expect(row.getByRole('status')).toContainText('2 models');
		expect((await providers(request)).find((p) => p.name === 'my-claude')?.base_url).toBe(env.upstream);

		await page.reload();
		await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'unknown');
		await row.getByRole('button', { name: 'Test connection of my-claude' }).click();
		await expect(row.locator('[data-state]')).toHaveAttribute('data-state', 'ok');
	});

	test('renames a credential without re-entering its key', async ({ page, request }) => {
		await openSignedIn(page, '/providers');
		const groq = page.locator('section[data-type="groq"]');
		await groq.getByRole('button', { name: 'Edit groq-team' }).click();
		const key = groq.getByLabel('API key');
		await expect(key).toHaveValue('');
		await expect(key).toHaveAttribute('placeholder', '••••1234');
		await groq.getByLabel('Name').fill('groq-main');
		await groq.getByRole('button', { name: 'Save and test' }).click();
		await expect(groq.locator('[data-provider="groq-main"]').getByTestId('key')).toHaveText('••••1234');
		expect((await providers(request)).find((p) => p.name === 'groq-main')).toMatchObject({ has_key: true, key_last4: '1234' });
		await page.locator('section[data-type="anthropic_compatible"]').getByRole('button', { name: 'Test connection of my-claude' }).click();
		await expect(page.locator('[data-provider="my-claude"] [data-state]')).toHaveAttribute('data-state', 'ok');
		await docScreenshot(page, 'providers');
	});

	test('shows a duplicate name next to the name field', async ({ page }) => {
		await openSignedIn(page, '/providers');
		const groq = page.locator('section[data-type="groq"]');
		await groq.getByRole('button', { name: 'Add Groq credential' }).click();
		await groq.getByLabel('Name').fill('groq-main');
		await groq.getByRole('button', { name: 'Save and test' }).click();
		await expect(groq.getByText("A provider named 'groq-main' already exists.")).toBeVisible();
		await expect(groq.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
	});

	test('deletes a credential after a confirm dialog', async ({ page, request }) => {
		await openSignedIn(page, '/providers');
		await page.getByRole('button', { name: 'Delete groq-personal' }).click();
		const dialog = page.getByRole('alertdialog');
		await expect(dialog).toContainText('Delete groq-personal?');
		await page.keyboard.press('Escape');
		await expect(dialog).toHaveCount(0);
		await expect(page.locator('[data-provider="groq-personal"]')).toBeVisible();

		await page.getByRole('button', { name: 'Delete groq-personal' }).click();
		await dialog.getByRole('button', { name: 'Delete' }).click();
		await expect(page.locator('[data-provider="groq-personal"]')).toHaveCount(0);
		expect((await providers(request)).map((p) => p.name)).not.toContain('groq-personal');
	});
});
