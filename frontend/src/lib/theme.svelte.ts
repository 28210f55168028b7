// Light or dark: follows the OS until the user picks one, which is then remembered.
export const THEME_KEY = 'mlx-manager.theme';
export type Theme = 'light' | 'dark';

function systemTheme(): Theme {
	return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function savedTheme(): Theme | null {
	const value = globalThis.localStorage?.getItem(THEME_KEY);
	return value === 'light' || value === 'dark' ? value : null;
}

class ThemeState {
	chosen = $state<Theme | null>(savedTheme());
	current = $derived<Theme>(this.chosen ?? systemTheme());

	toggle(): void {
		this.set(this.current === 'dark' ? 'light' : 'dark');
	}

	set(theme: Theme): void {
		this.chosen = theme;
		globalThis.localStorage?.setItem(THEME_KEY, theme);
		document.documentElement.dataset.theme = theme;
	}
}

export const theme = new ThemeState();
