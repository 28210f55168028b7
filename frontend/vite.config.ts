import { sveltekit } from '@sveltejs/kit/vite';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

// `npm run dev` proxies the API to a server started with `make run` (or MLX_MANAGER_URL).
const api = process.env.MLX_MANAGER_URL ?? 'http://127.0.0.1:10242';

export default defineConfig({
	plugins: [sveltekit(), svelteTesting()],
	server: { proxy: { '/api': api, '/v1': api, '/health': api } },
	test: {
		environment: 'jsdom',
		include: ['src/**/*.test.ts'],
		setupFiles: ['src/test-setup.ts']
	}
});
