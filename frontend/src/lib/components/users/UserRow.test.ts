import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { user } from '$lib/testing/data';
import UserRow from './UserRow.svelte';

function setup(props: Partial<Parameters<typeof render<typeof UserRow>>[1] & object> = {}) {
	const handlers = { onapprove: vi.fn(), onrole: vi.fn(), ondelete: vi.fn() };
	render(UserRow, { user: user(), isYou: false, busy: undefined, error: undefined, ...handlers, ...props });
	return { ...handlers, user: userEvent.setup() };
}

describe('UserRow', () => {
	it('offers approval and admin rights to a pending account', async () => {
		const { onapprove, onrole, ondelete, user: u } = setup({ user: user({ id: 2, username: 'bob', role: 'user', status: 'pending' }) });
		expect(screen.getByTestId('status').textContent).toBe('waiting for approval');
		await u.click(screen.getByRole('button', { name: 'Approve bob' }));
		await u.click(screen.getByRole('button', { name: 'Make bob an admin' }));
		await u.click(screen.getByRole('button', { name: 'Delete bob' }));
		expect(onapprove).toHaveBeenCalledOnce();
		expect(onrole).toHaveBeenCalledWith('admin');
		expect(ondelete).toHaveBeenCalledOnce();
	});

	it('marks your own account and offers to make an admin a user', async () => {
		const { onrole, user: u } = setup({ isYou: true });
		expect(screen.getByTestId('you')).toBeTruthy();
		expect(screen.queryByRole('button', { name: /Approve/ })).toBeNull();
		await u.click(screen.getByRole('button', { name: 'Make alice a user' }));
		expect(onrole).toHaveBeenCalledWith('user');
	});

	it('shows the refusal and disables the actions while one runs', () => {
		setup({ busy: 'role', error: 'The last admin cannot be demoted: make another user admin first.' });
		expect(screen.getByRole('alert').textContent).toContain('The last admin cannot be demoted');
		expect((screen.getByRole('button', { name: 'Delete alice' }) as HTMLButtonElement).disabled).toBe(true);
	});
});
