// What global-setup started, and small helpers every scenario uses.
import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';

export const env = {
	get url(): string {
		return required('E2E_URL');
	},
	get upstream(): string {
		return required('E2E_UPSTREAM');
	},
	get token(): string {
		return required('E2E_TOKEN');
	}
};

function required(name: string): string {
	const value = process.env[name];
	if (!value) throw new Error(`${name} is not set: run through playwright.config.ts (global-setup)`);
	return value;
}

/** Open `path` already signed in (the token in localStorage, as the sign-in page leaves it). */
export async function openSignedIn(page: Page, path: string): Promise<void> {
	await page.addInitScript((token) => localStorage.setItem('mlx-manager.token', token), env.token);
	await page.goto(env.url + path);
}

/** The management API, read directly, to check what the UI saved. */
export async function apiGet<T>(request: APIRequestContext, path: string): Promise<T> {
	const response = await request.get(env.url + path, { headers: { Authorization: `Bearer ${env.token}` } });
	expect(response.ok()).toBe(true);
	return (await response.json()) as T;
}

/** Screenshots for docs/ are written only when asked, so test runs leave the committed PNGs alone. */
/** ``mask`` covers what must not be published, such as a key shown once. */
export async function docScreenshot(
	target: Page | Locator,
	name: string,
	mask: Locator[] = []
): Promise<void> {
	if (process.env.SCREENSHOTS !== '1') return;
	const path = `../docs/screenshots/${name}.png`;
	if ('goto' in target) {
		await target.evaluate(() => window.scrollTo(0, 0));
		await target.screenshot({ path, fullPage: true, animations: 'disabled', mask });
	} else {
		await target.screenshot({ path, animations: 'disabled', mask });
	}
}
