import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { download } from '$lib/testing/data';
import DownloadItem from './DownloadItem.svelte';

describe('DownloadItem', () => {
	it('shows a running download as a progress bar with a cancel button', async () => {
		const oncancel = vi.fn();
		render(DownloadItem, { download: download({ bytes_done: 250_000, bytes_total: 1_000_000, files_done: 1 }), oncancel, ondismiss: () => {} });
		const bar = screen.getByRole('progressbar', { name: 'Download of mlx-community/tiny' });
		expect(bar.getAttribute('aria-valuenow')).toBe('250000');
		expect(bar.getAttribute('aria-valuemax')).toBe('1000000');
		expect(bar.getAttribute('aria-valuetext')).toBe('250 kB of 1.00 MB · 1/3 files · 25%');
		await userEvent.setup().click(screen.getByRole('button', { name: 'Cancel download of mlx-community/tiny' }));
		expect(oncancel).toHaveBeenCalledOnce();
	});

	it('shows why a download failed, and offers to dismiss it', async () => {
		const ondismiss = vi.fn();
		render(DownloadItem, { download: download({ status: 'error', error: 'The Hub went away' }), oncancel: () => {}, ondismiss });
		expect(screen.getByRole('alert').textContent).toBe('The Hub went away');
		expect(screen.getByText('Failed')).toBeTruthy();
		await userEvent.setup().click(screen.getByRole('button', { name: 'Dismiss download of mlx-community/tiny' }));
		expect(ondismiss).toHaveBeenCalledOnce();
	});
});
