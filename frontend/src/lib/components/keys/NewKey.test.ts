import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { createdKey } from '$lib/testing/data';
import NewKey from './NewKey.svelte';

describe('NewKey', () => {
	it('shows the new key once, with a copy button and a warning', async () => {
		const user = userEvent.setup();
		const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
		const ondone = vi.fn();
		render(NewKey, { created: createdKey(), ondone });
		expect((screen.getByLabelText('New key') as HTMLInputElement).value).toBe('mmk_AbCdEfGhIjKlMnOpQrStUvwxyz');
		expect(screen.getByText("Copy it now: you won't see it again.")).toBeTruthy();
		await user.click(screen.getByRole('button', { name: 'Copy' }));
		expect(writeText).toHaveBeenCalledWith('mmk_AbCdEfGhIjKlMnOpQrStUvwxyz');
		expect(screen.getByTestId('copied').textContent).toBe('Copied to the clipboard.');
		await user.click(screen.getByRole('button', { name: 'Done, I have copied it' }));
		expect(ondone).toHaveBeenCalledOnce();
	});

	it('selects the key for a manual copy when the clipboard is out of reach', async () => {
		const user = userEvent.setup();
		vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('denied'));
		render(NewKey, { created: createdKey(), ondone: vi.fn() });
		await user.click(screen.getByRole('button', { name: 'Copy' }));
		expect(screen.getByTestId('copied').textContent).toContain('press Ctrl+C');
	});
});
