import { expect, test, type APIRequestContext } from '@playwright/test';
import { apiGet, docScreenshot, env, openSignedIn } from './env';

const auth = () => ({ Authorization: `Bearer ${env.token}` });

async function createProvider(request: APIRequestContext, name: string): Promise<number> {
	const response = await request.post(`${env.url}/api/settings/providers`, {
		headers: auth(),
		data: { name, backend_type: 'anthropic_compatible', base_url: env.upstream }
	});
	expect(response.status()).toBe(201);
	return ((await response.json()) as { id: number }).id;
}

async function rulePatterns(request: APIRequestContext): Promise<string[]> {
	const { rules } = await apiGet<{ rules: { pattern: string }[] }>(request, '/api/settings/rules');
	return rules.map((r) => r.pattern);
}

test.describe.serial('Routing page', () => {
	test.beforeAll(async ({ request }) => {
		await createProvider(request, 'route-claude');
	});

	test('creates two rules, reorders them by keyboard and by drag, and tests a route', async ({ page, request }) => {
		await openSignedIn(page, '/routing');
		await page.getByRole('button', { name: '+ Add rule' }).click();
		await page.getByLabel('Match').selectOption('prefix');
		await page.getByLabel('Pattern').fill('claude-');
		await page.getByLabel('Target 1', { exact: true }).selectOption({ label: 'route-claude' });
		await page.getByRole('button', { name: 'Save rule' }).click();
		await expect(page.getByRole('article', { name: 'Rule 1: claude-' })).toBeVisible();

		await page.getByRole('button', { name: '+ Add rule' }).click();
		await page.getByLabel('Match').selectOption('glob');
		await page.getByLabel('Pattern').fill('llama-*');
		await page.getByRole('button', { name: '+ Add target' }).click();
		await page.getByLabel('Target 2', { exact: true }).selectOption({ label: 'route-claude' });
		await page.getByLabel('Model sent to target 2').fill('claude-fake-1');
		await page.getByLabel('Description').fill('Local first, then the Claude server');
		await page.getByRole('button', { name: 'Save rule' }).click();
		const llama = page.getByRole('article', { name: 'Rule 2: llama-*' });
		await expect(llama).toContainText('Local MLX engine');
		await expect(llama).toContainText('claude-fake-1');
		expect(await rulePatterns(request)).toEqual(['claude-', 'llama-*']);

		// Keyboard: arrow up on the drag handle.
		await llama.getByRole('button', { name: /Reorder rule llama-\*/ }).press('ArrowUp');
		await expect(page.getByRole('article', { name: 'Rule 1: llama-*' })).toBeVisible();
		await expect.poll(() => rulePatterns(request)).toEqual(['llama-*', 'claude-']);
		await expect(page.getByRole('button', { name: /Reorder rule llama-\*/ })).toBeFocused();

		// Drag and drop: claude- onto the top half of llama-*.
		await page.locator('li[data-rule="claude-"]').dragTo(page.locator('li[data-rule="llama-*"]'), {
			targetPosition: { x: 40, y: 8 }
		});
		await expect(page.getByRole('article', { name: 'Rule 1: claude-' })).toBeVisible();
		await expect.poll(() => rulePatterns(request)).toEqual(['claude-', 'llama-*']);

		await page.getByLabel('Model name').fill('claude-3-haiku');
		await page.getByRole('button', { name: 'Test route' }).click();
		const result = page.getByTestId('route-result');
		await expect(result).toContainText('matches rule');
		await expect(result).toContainText('claude-');
		await expect(result).toContainText('route-claude');
		await docScreenshot(page, 'routing');
	});

	test('warns on a target whose provider was deleted', async ({ page, request }) => {
		const id = await createProvider(request, 'short-lived');
		const created = await request.post(`${env.url}/api/settings/rules`, {
			headers: auth(),
			data: { pattern: 'mistral-', pattern_type: 'prefix', targets: [{ provider: id, model: null }] }
		});
		expect(created.status()).toBe(201);
		await request.delete(`${env.url}/api/settings/providers/${id}`, { headers: auth() });

		await openSignedIn(page, '/routing');
		await expect(page.getByRole('article', { name: /mistral-/ })).toContainText('no longer exists');
	});
});
