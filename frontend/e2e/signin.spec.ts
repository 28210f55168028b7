import { expect, test } from '@playwright/test';
import { env } from './env';

test('signs in with the admin token and refuses a wrong one', async ({ page }) => {
	await page.goto(`${env.url}/routing`);
	await expect(page).toHaveURL(/\/signin\?next=%2Frouting$/);
	await page.getByRole('button', { name: 'Sign in with the admin token' }).click();
	await page.getByLabel('Admin token').fill('not-the-token');
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
	await expect(page.getByRole('alert')).toHaveText('The server did not accept this token.');

	await page.getByLabel('Admin token').fill(env.token);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
	await expect(page).toHaveURL(/\/routing$/);
	await expect(page.getByRole('heading', { level: 1, name: 'Routing' })).toBeVisible();
	expect(await page.evaluate(() => localStorage.getItem('mlx-manager.token'))).toBe(env.token);
	await expect(page.getByTestId('signed-in-as')).toContainText('admin token');

	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/signin/);
	expect(await page.evaluate(() => localStorage.getItem('mlx-manager.token'))).toBeNull();
});

test('a token the server refuses (401) sends the user back to sign-in', async ({ page }) => {
	await page.addInitScript(() => localStorage.setItem('mlx-manager.token', 'stale-token'));
	await page.goto(`${env.url}/providers`);
	await expect(page).toHaveURL(/\/signin\?next=%2Fproviders$/);
	await expect(page.getByRole('status')).toContainText('did not accept the saved token');
	await expect(page.getByLabel('Admin token')).toBeVisible();
});

test('serves client routes, but never shadows the API', async ({ request }) => {
	const page = await request.get(`${env.url}/routing`);
	expect(page.headers()['content-type']).toContain('text/html');
	const api = await request.get(`${env.url}/api/nope`);
	expect(api.status()).toBe(404);
	expect(api.headers()['content-type']).toContain('application/json');
	expect((await request.get(`${env.url}/health`)).ok()).toBe(true);
});
