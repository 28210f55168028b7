import { expect, test } from '@playwright/test';
import { env, docScreenshot, openSignedIn } from './env';

// The fake upstream is an echo model: it answers with what it heard, in either protocol.
const PROVIDER = 'echo';
const MODEL = `${PROVIDER}/claude-fake-1`;

test.describe.serial('Playground', () => {
	test.beforeAll(async ({ request }) => {
		const response = await request.post(`${env.url}/api/settings/providers`, {
			headers: { Authorization: `Bearer ${env.token}` },
			data: { name: PROVIDER, backend_type: 'openai_compatible', base_url: env.upstream }
		});
		expect(response.status()).toBe(201);
	});

	test('streams a reply through the OpenAI protocol, with provider, tokens and timings', async ({ page }) => {
		await openSignedIn(page, '/playground');
		await page.getByLabel('Model', { exact: true }).selectOption(MODEL);
		await expect(page.getByLabel('OpenAI · /v1/chat/completions')).toBeChecked();
		await page.getByLabel('System prompt').fill('Be brief.');
		await page.getByRole('textbox', { name: 'Message' }).fill('hello there');
		await page.getByRole('textbox', { name: 'Message' }).press('Enter');

		const reply = page.locator('[data-role="assistant"]').last();
		await expect(reply).toHaveAttribute('data-status', 'done');
		await expect(reply.getByTestId('text')).toHaveText('system=[Be brief.] user=[hello there] images=0');
		await expect(reply.getByTestId('provider')).toHaveText(PROVIDER);
		await expect(reply.getByTestId('tokens')).toHaveText('4 in (2 cached) · 5 out');
		await expect(reply.getByTestId('ttft')).toHaveText(/\d+ ms|\d\.\d\d s/);
		await expect(reply.getByTestId('latency')).toHaveText(/\d+ ms|\d\.\d\d s/);
		await expect(reply.getByText('OpenAI', { exact: true })).toBeVisible();
	});

	test('goes on through the Anthropic protocol, translated to the OpenAI upstream', async ({ page }) => {
		await openSignedIn(page, '/playground');
		await page.getByLabel('Model', { exact: true }).selectOption(MODEL);
		await page.getByLabel('Anthropic · /v1/messages').check();
		await page.getByRole('textbox', { name: 'Message' }).fill('and now in the other protocol');
		await page.getByRole('button', { name: 'Send' }).click();

		const reply = page.locator('[data-role="assistant"]').last();
		await expect(reply).toHaveAttribute('data-status', 'done');
		await expect(reply.getByTestId('text')).toHaveText('system=[] user=[and now in the other protocol] images=0');
		await expect(reply.getByTestId('provider')).toHaveText(PROVIDER);
		await expect(reply.getByTestId('tokens')).toHaveText('6 in (2 cached) · 8 out');
		await expect(reply.getByText('Anthropic', { exact: true })).toBeVisible();

		// A second turn carries the first: the echo hears the newest user text.
		await page.getByLabel('System prompt').fill('You are a test.');
		await page.getByRole('textbox', { name: 'Message' }).fill('one more');
		await page.getByRole('textbox', { name: 'Message' }).press('Enter');
		await expect(page.locator('[data-role="assistant"]')).toHaveCount(2);
		await expect(page.locator('[data-role="assistant"]').last().getByTestId('text')).toHaveText(
			'system=[You are a test.] user=[one more] images=0'
		);
		await page.getByRole('textbox', { name: 'Message' }).fill('What is MLX?');
		await docScreenshot(page, 'playground');
	});

	test('shows the gateway refusing an unknown API key, in words', async ({ page }) => {
		await openSignedIn(page, '/playground');
		await page.getByLabel('Model', { exact: true }).selectOption(MODEL);
		await page.getByLabel('API key').fill('mmk_not_a_real_key');
		await page.getByLabel('API key').blur();
		expect(await page.evaluate(() => localStorage.getItem('mlx-manager.gateway-key'))).toBe('mmk_not_a_real_key');
		await page.getByRole('textbox', { name: 'Message' }).fill('hi');
		await page.getByRole('textbox', { name: 'Message' }).press('Enter');
		const reply = page.locator('[data-role="assistant"]').last();
		await expect(reply).toHaveAttribute('data-status', 'error');
		await expect(reply.getByRole('alert')).toContainText('401: Invalid API key: this gateway key is unknown or revoked');
		await page.getByLabel('API key').fill('');
		await page.getByLabel('API key').blur();
		expect(await page.evaluate(() => localStorage.getItem('mlx-manager.gateway-key'))).toBeNull();
	});
});
