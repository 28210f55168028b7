import { expect, test, type Page } from '@playwright/test';
import { docScreenshot, env } from './env';

// Runs first (specs run in name order on one server), so the server has no account yet.
const ADMIN = { username: 'admin', password: 'admin-password-1' };
const BOB = { username: 'bob', password: 'bob-password-1' };
const WAITING = "This account is waiting for an admin's approval; sign in once it is approved.";

async function signIn(page: Page, account: { username: string; password: string }, path = '/') {
	await page.goto(env.url + path);
	await expect(page).toHaveURL(/\/signin/);
	await page.getByLabel('Username').fill(account.username);
	await page.getByLabel('Password').fill(account.password);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test.describe.serial('Accounts and gateway keys', () => {
	test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

	test('the first account, created on a fresh server, is the admin', async ({ page }) => {
		await page.goto(env.url + '/');
		await expect(page).toHaveURL(/\/signin/);
		await page.getByRole('button', { name: 'Create an account' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Create an account' })).toBeVisible();
		await page.getByLabel('Username').fill(ADMIN.username);
		await page.getByLabel('Password').fill('short');
		await page.getByRole('button', { name: 'Create account' }).click();
		await expect(page.locator('[data-field-error]')).toHaveText('Too short: use at least 8 characters.');
		await expect(page.getByLabel('Password')).toBeFocused();
		await page.getByLabel('Password').fill(ADMIN.password);
		await page.getByRole('button', { name: 'Create account' }).click();

		await expect(page).toHaveURL(/\/providers$/);
		const who = page.getByTestId('signed-in-as');
		await expect(who).toContainText(ADMIN.username);
		await expect(who.getByTestId('role')).toHaveText('admin');
		for (const name of ['Providers', 'Routing', 'Models', 'Playground', 'Requests', 'Keys', 'Users']) {
			await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name })).toBeVisible();
		}
		// The session is the HttpOnly cookie: nothing is kept in localStorage, and a reload keeps it.
		expect(await page.evaluate(() => localStorage.getItem('mlx-manager.token'))).toBeNull();
		expect(await page.evaluate(() => document.cookie)).toBe('');
		await page.reload();
		await expect(page.getByTestId('signed-in-as')).toContainText(ADMIN.username);
	});

	test('signs out and in again; a wrong password is refused', async ({ page }) => {
		await signIn(page, ADMIN);
		await expect(page).toHaveURL(/\/providers$/);
		await page.getByRole('button', { name: 'Sign out' }).click();
		await expect(page).toHaveURL(/\/signin/);
		await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
		// Signed out on the server too: the cookie is gone.
		expect((await page.request.get(`${env.url}/api/auth/me`)).status()).toBe(401);

		await page.getByLabel('Username').fill(ADMIN.username);
		await page.getByLabel('Password').fill('not-the-password');
		await page.getByRole('button', { name: 'Sign in', exact: true }).click();
		await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
		await page.getByLabel('Password').fill(ADMIN.password);
		await page.getByRole('button', { name: 'Sign in', exact: true }).click();
		await expect(page).toHaveURL(/\/providers$/);
	});

	test('creates a gateway key, shows it once, edits and revokes it', async ({ page, request }) => {
		await signIn(page, ADMIN, '/keys');
		await expect(page).toHaveURL(/\/keys$/);
		await expect(page.getByText('No keys yet.')).toBeVisible();

		await page.getByLabel('Name', { exact: true }).fill('ci');
		await page.getByLabel('Allowed models').fill('echo/*\ntiny-*');
		await page.getByLabel('Requests per minute').fill('60');
		await page.getByRole('button', { name: 'Create key' }).click();

		const shown = page.getByTestId('new-key');
		await expect(shown).toContainText("Copy it now: you won't see it again.");
		const secret = await shown.getByLabel('New key').inputValue();
		expect(secret).toMatch(/^mmk_/);
		await shown.getByRole('button', { name: 'Copy' }).click();
		await expect(shown.getByTestId('copied')).toHaveText('Copied to the clipboard.');
		expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

		const row = page.locator('[data-key="ci"]');
		await expect(row.getByTestId('key-id')).toHaveText(new RegExp(`^mmk_.*…${secret.slice(-4)}$`));
		await expect(row.getByTestId('patterns')).toContainText('echo/*');
		await expect(row.getByTestId('rpm')).toHaveText('60');
		await expect(row.getByTestId('last-used')).toHaveText('never');
		await page.getByRole('heading', { level: 1 }).click();
		await docScreenshot(page, 'keys', [shown.getByLabel('New key')]);

		// The key works on /v1; the page says /v1 now needs one; the signed-in UI still gets in.
		const withKey = await request.get(`${env.url}/v1/models`, { headers: { Authorization: `Bearer ${secret}` } });
		expect(withKey.status()).toBe(200);
		await expect(page.getByTestId('gateway-state')).toContainText('every /v1 call needs a key');

		await shown.getByRole('button', { name: 'Done, I have copied it' }).click();
		await expect(page.getByTestId('new-key')).toHaveCount(0);
		await page.reload();
		await expect(row).toBeVisible();
		await expect(page.getByText(secret)).toHaveCount(0);
		expect(await page.content()).not.toContain(secret);

		await row.getByRole('button', { name: 'Edit ci' }).click();
		await row.getByLabel('Tokens per minute').fill('5000');
		await row.getByLabel('Requests per minute').fill('');
		await row.getByRole('button', { name: 'Save ci' }).click();
		await expect(row.getByTestId('tpm')).toHaveText((5000).toLocaleString('en-US'));
		await expect(row.getByTestId('rpm')).toHaveText('no limit');

		await row.getByRole('button', { name: 'Revoke ci' }).click();
		const dialog = page.getByRole('alertdialog');
		await expect(dialog).toContainText('Revoke ci?');
		await dialog.getByRole('button', { name: 'Revoke' }).click();
		await expect(row.getByTestId('revoked')).toBeVisible();
		await expect(row.getByRole('button', { name: 'Revoke ci' })).toHaveCount(0);
		const revoked = await request.get(`${env.url}/v1/models`, { headers: { Authorization: `Bearer ${secret}` } });
		expect(revoked.status()).toBe(401);
		// No active key left: /v1 is open again on loopback, as the later specs expect.
		await expect(page.getByTestId('gateway-state')).toContainText('open only while');
	});

	test('deletes a key after a styled confirm', async ({ page }) => {
		await signIn(page, ADMIN, '/keys');
		await expect(page).toHaveURL(/\/keys$/);
		await page.getByLabel('Name', { exact: true }).fill('temp');
		await page.getByLabel('Expires').fill('2999-01-01T00:00');
		await page.getByRole('button', { name: 'Create key' }).click();
		await expect(page.getByTestId('new-key')).toBeVisible();
		await page.getByRole('button', { name: 'Done, I have copied it' }).click();
		const row = page.locator('[data-key="temp"]');
		await expect(row.getByTestId('expires')).toContainText('2999');
		await row.getByRole('button', { name: 'Delete temp' }).click();
		await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
		await expect(row).toHaveCount(0);
		// Its revocation aside, the key is gone; only the revoked one stays listed.
		await expect(page.locator('[data-key]')).toHaveCount(1);
	});

	test('a second account signs up and waits for approval', async ({ page }) => {
		await page.goto(env.url + '/signin');
		await page.getByRole('button', { name: 'Create an account' }).click();
		await page.getByLabel('Username').fill(BOB.username);
		await page.getByLabel('Password').fill(BOB.password);
		await page.getByRole('button', { name: 'Create account' }).click();
		await expect(page.getByTestId('pending')).toContainText("waits for an admin's approval");
		await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
		await expect(page.getByLabel('Username')).toHaveValue(BOB.username);

		await page.getByLabel('Password').fill(BOB.password);
		await page.getByRole('button', { name: 'Sign in', exact: true }).click();
		await expect(page.getByTestId('pending')).toHaveText(WAITING);
		await expect(page).toHaveURL(/\/signin/);
	});

	test('the admin approves it; the last admin cannot be demoted', async ({ page }) => {
		await signIn(page, ADMIN, '/users');
		await expect(page).toHaveURL(/\/users$/);
		await expect(page.getByTestId('pending-count')).toHaveText('1 account waits for your approval.');
		const bob = page.locator('[data-user="bob"]');
		await expect(bob.getByTestId('status')).toHaveText('waiting for approval');
		await expect(page.locator('[data-user="admin"]').getByTestId('you')).toBeVisible();
		await docScreenshot(page, 'users');

		await bob.getByRole('button', { name: 'Approve bob' }).click();
		await expect(bob.getByTestId('status')).toHaveText('active');
		await expect(page.getByTestId('pending-count')).toHaveCount(0);

		const admin = page.locator('[data-user="admin"]');
		await admin.getByRole('button', { name: 'Make admin a user' }).click();
		await expect(admin.getByRole('alert')).toHaveText('The last admin cannot be demoted: make another user admin first.');
		await expect(admin.getByTestId('role')).toHaveText('admin');

		await admin.getByRole('button', { name: 'Delete admin' }).click();
		const dialog = page.getByRole('alertdialog');
		await dialog.getByRole('button', { name: 'Delete' }).click();
		await expect(dialog.getByRole('alert')).toHaveText('The last admin cannot be removed: make another user admin first.');
		await dialog.getByRole('button', { name: 'Cancel' }).click();
	});

	test('an approved user gets the playground, and a friendly note on admin pages', async ({ page }) => {
		await signIn(page, BOB);
		await expect(page).toHaveURL(/\/playground$/);
		await expect(page.getByTestId('signed-in-as').getByTestId('role')).toHaveText('user');
		const nav = page.getByRole('navigation', { name: 'Main' });
		await expect(nav.getByRole('link')).toHaveText(['Playground']);
		// The session cookie lets the playground into /v1.
		await expect(page.getByLabel('Model', { exact: true }).locator('option', { hasText: 'tiny-llama' })).toHaveCount(1);

		await page.goto(env.url + '/providers');
		await expect(page.getByRole('heading', { level: 1, name: 'Providers is for admins' })).toBeVisible();
		// The server refuses it anyway.
		expect((await page.request.get(`${env.url}/api/settings/providers`)).status()).toBe(403);
	});
});
