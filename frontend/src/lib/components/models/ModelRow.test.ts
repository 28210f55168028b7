import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { localModel } from '$lib/testing/data';
import ModelRow from './ModelRow.svelte';

function setup(props: Partial<Parameters<typeof render<typeof ModelRow>>[1] & object> = {}) {
	const onaction = vi.fn();
	const ondelete = vi.fn();
	render(ModelRow, { model: localModel(), busy: undefined, error: undefined, onaction, ondelete, ...props });
	return { onaction, ondelete, user: userEvent.setup() };
}

describe('ModelRow', () => {
	it('shows size in human units, architecture and kind', () => {
		setup();
		expect(screen.getByTestId('size').textContent).toBe('2.40 MB');
		expect(screen.getByText(/llama · text generation/)).toBeTruthy();
		expect(screen.getByRole('img', { name: 'Not loaded' })).toBeTruthy();
	});

	it('offers load and pin for a model not in memory', async () => {
		const { onaction, ondelete, user } = setup();
		await user.click(screen.getByRole('button', { name: 'Load tiny-llama' }));
		await user.click(screen.getByRole('button', { name: 'Pin tiny-llama' }));
		await user.click(screen.getByRole('button', { name: 'Delete tiny-llama' }));
		expect(onaction.mock.calls).toEqual([['load'], ['pin']]);
		expect(ondelete).toHaveBeenCalledOnce();
	});

	it('offers unload and unpin for a pinned, loaded model', async () => {
		const { onaction, user } = setup({ model: localModel({ loaded: true, pinned: true }) });
		expect(screen.getByTestId('pinned')).toBeTruthy();
		await user.click(screen.getByRole('button', { name: 'Unload tiny-llama' }));
		await user.click(screen.getByRole('button', { name: 'Unpin tiny-llama' }));
		expect(onaction.mock.calls).toEqual([['unload'], ['unpin']]);
	});

	it('shows progress and disables the actions while one runs, and the error after', () => {
		setup({ busy: 'load', error: 'Not enough memory' });
		expect(screen.getByRole('status').textContent).toContain('Loading…');
		expect((screen.getByRole('button', { name: 'Load tiny-llama' }) as HTMLButtonElement).disabled).toBe(true);
		expect(screen.getByRole('alert').textContent).toBe('Not enough memory');
	});
});
