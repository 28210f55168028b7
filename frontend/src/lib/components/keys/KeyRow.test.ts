import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { gatewayKey } from '$lib/testing/data';
import KeyRow from './KeyRow.svelte';

const idle = { busy: false, error: null, fields: {} };

function setup(props: Partial<Parameters<typeof render<typeof KeyRow>>[1] & object> = {}) {
	const handlers = { onedit: vi.fn(), onsave: vi.fn(async () => true), oncancel: vi.fn(), onrevoke: vi.fn(), ondelete: vi.fn() };
	render(KeyRow, { key: gatewayKey(), editing: false, form: idle, ...handlers, ...props });
	return { ...handlers, user: userEvent.setup() };
}

describe('KeyRow', () => {
	it('shows the key by its start and last four, its models and limits', () => {
		setup({ key: gatewayKey({ model_patterns: ['gpt-4o*', 'claude-*'], requests_per_minute: 60, tokens_per_minute: null }) });
		expect(screen.getByTestId('key-id').textContent).toBe('mmk_AbCd…wxyz');
		expect(screen.getByTestId('patterns').textContent).toContain('gpt-4o*');
		expect(screen.getByTestId('rpm').textContent).toBe('60');
		expect(screen.getByTestId('tpm').textContent).toBe('no limit');
		expect(screen.getByTestId('expires').textContent).toBe('never');
		expect(screen.getByTestId('last-used').textContent).toBe('never');
	});

	it('offers edit, revoke and delete', async () => {
		const { onedit, onrevoke, ondelete, user } = setup();
		await user.click(screen.getByRole('button', { name: 'Edit ci' }));
		await user.click(screen.getByRole('button', { name: 'Revoke ci' }));
		await user.click(screen.getByRole('button', { name: 'Delete ci' }));
		expect(onedit).toHaveBeenCalledOnce();
		expect(onrevoke).toHaveBeenCalledOnce();
		expect(ondelete).toHaveBeenCalledOnce();
	});

	it('a revoked key can only be deleted', () => {
		setup({ key: gatewayKey({ revoked: true, revoked_at: '2025-01-02T00:00:00Z' }) });
		expect(screen.getByTestId('revoked').textContent).toContain('revoked');
		expect(screen.queryByRole('button', { name: 'Revoke ci' })).toBeNull();
		expect(screen.queryByRole('button', { name: 'Edit ci' })).toBeNull();
		expect(screen.getByRole('button', { name: 'Delete ci' })).toBeTruthy();
	});

	it('edits in place, starting from the key as it is', async () => {
		const { onsave, user } = setup({ key: gatewayKey({ requests_per_minute: 60 }), editing: true });
		const rpm = screen.getByLabelText('Requests per minute') as HTMLInputElement;
		expect(rpm.value).toBe('60');
		await user.clear(rpm);
		await user.type(rpm, '120');
		await user.click(screen.getByRole('button', { name: 'Save ci' }));
		expect(onsave).toHaveBeenCalledWith(expect.objectContaining({ name: 'ci', requestsPerMinute: '120' }));
	});
});
