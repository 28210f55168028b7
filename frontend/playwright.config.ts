import { defineConfig } from '@playwright/test';

// The system Chromium (Debian's `chromium` package); Playwright never downloads a browser here.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
	testDir: 'e2e',
	globalSetup: './e2e/global-setup.ts',
	// One real server with one database: the scenarios build on each other, in order.
	workers: 1,
	fullyParallel: false,
	timeout: 30_000,
	expect: { timeout: 10_000 },
	reporter: process.env.CI ? 'line' : 'list',
	use: {
		browserName: 'chromium',
		launchOptions: { executablePath },
		colorScheme: 'light',
		viewport: { width: 1280, height: 900 },
		trace: 'retain-on-failure'
	}
});
