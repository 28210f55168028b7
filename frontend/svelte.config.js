import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// The build lands where the Python package serves it (src/mlx_manager/web/static_files.py).
const out = '../src/mlx_manager/web/static';

/** @type {import('@sveltejs/kit').Config} */
export default {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ pages: out, assets: out, fallback: 'index.html', strict: true }),
		alias: { $components: 'src/lib/components' }
	}
};
