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
	});

	test('creates a weighted rule, shows its weights and health, and tests which target goes first', async ({ page, request }) => {
		await createProvider(request, 'route-claude-b');
		await openSignedIn(page, '/routing');
		await page.getByRole('button', { name: '+ Add rule' }).click();
		await page.getByLabel('Match').selectOption('exact');
		await page.getByLabel('Pattern').fill('team-model');
		await expect(page.getByLabel('weight of target 1')).toHaveCount(0);
		await page.getByLabel('Strategy').selectOption('weighted');
		await expect(page.getByText('Spread requests at random by weight')).toBeVisible();
		await page.getByLabel('Target 1', { exact: true }).selectOption({ label: 'route-claude' });
		await page.getByLabel('Model sent to target 1').fill('claude-fake-1');
		await page.getByLabel('weight of target 1').fill('3');
		await page.getByText('Timeouts of target 1').click();
		await expect(page.getByLabel('Connect timeout of target 1')).toHaveAttribute('placeholder', '10 (default)');
		await page.getByLabel('First byte timeout of target 1').fill('60');
		await page.getByRole('button', { name: '+ Add target' }).click();
		await page.getByLabel('Target 2', { exact: true }).selectOption({ label: 'route-claude-b' });
		await page.getByLabel('Model sent to target 2').fill('claude-fake-1');
		await page.getByRole('button', { name: 'Save rule' }).click();
		await expect(page.getByRole('article', { name: /team-model/ })).toBeVisible();

		const { rules } = await apiGet<{ rules: { pattern: string; strategy: string; targets: { weight: number; first_byte_timeout: number | null; connect_timeout: number | null }[] }[] }>(
			request,
			'/api/settings/rules'
		);
		const saved = rules.find((r) => r.pattern === 'team-model');
		expect(saved?.strategy).toBe('weighted');
		expect(saved?.targets.map((t) => [t.weight, t.connect_timeout, t.first_byte_timeout])).toEqual([
			[3, null, 60],
			[1, null, null]
		]);

		// One request through the rule, so that one of its targets has health figures to show.
		const chat = await request.post(`${env.url}/v1/chat/completions`, {
			data: { model: 'team-model', messages: [{ role: 'user', content: 'hi' }] }
		});
		expect(chat.status()).toBe(200);

		await page.reload();
		const card = page.getByRole('article', { name: /team-model/ });
		await expect(card.getByTestId('strategy')).toHaveText('Weighted');
		await expect(card.getByTestId('weight')).toHaveText(['weight 3', 'weight 1']);
		await expect(card.getByTestId('timeouts')).toHaveText('timeouts: first byte 60 s');
		await expect(card.locator('[data-health="healthy"]')).toHaveCount(2);
		await expect(card.getByTestId('health-figures').filter({ hasText: '0% errors (0 of 1)' })).toHaveCount(1);

		await card.getByRole('button', { name: 'Edit rule team-model' }).click();
		await expect(page.getByLabel('Strategy')).toHaveValue('weighted');
		await expect(page.getByLabel('weight of target 1')).toHaveValue('3');
		await expect(page.getByLabel('First byte timeout of target 1')).toHaveValue('60');
		await page.getByRole('button', { name: 'Cancel' }).click();

		await page.getByLabel('Model name').fill('team-model');
		await page.getByRole('button', { name: 'Test route' }).click();
		const result = page.getByTestId('route-result');
		await expect(result.getByTestId('route-strategy')).toHaveText('Weighted');
		await expect(result.getByTestId('route-reason')).toContainText('first by weighted among the healthy targets');
		const picked = result.locator('li[data-picked="true"]');
		await expect(picked).toHaveCount(1);
		await expect(picked).toContainText('picked now');
		await expect(picked).toContainText(/route-claude(-b)?/);
		await expect(result.getByTestId('weighing')).toHaveText(['· weight 3 of 4: first 75% of the time', '· weight 1 of 4: first 25% of the time']);
		await docScreenshot(page, 'routing');

		// The providers page lists the health of the model the request went to, under its provider.
		await page.goto(`${env.url}/providers`);
		const models = page.getByRole('list', { name: /^Recent health of the models of route-claude/ }).locator('li[data-model="claude-fake-1"]');
		await expect(models.locator('[data-health="healthy"]').first()).toBeVisible();
		await expect(models.getByTestId('health-figures').filter({ hasText: '(0 of 1)' })).toHaveCount(1);
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
