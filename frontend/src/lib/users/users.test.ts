import { describe, expect, it } from 'vitest';
import { UsersApi } from '$lib/api/users';
import { user } from '$lib/testing/data';
import { FakeServer } from '$lib/testing/fake-fetch';
import { UsersStore, sortUsers } from './users.svelte';

const alice = user();
const bob = user({ id: 2, username: 'bob', role: 'user', status: 'pending' });
const LAST_ADMIN = 'The last admin cannot be demoted: make another user admin first.';

function setup(server: FakeServer) {
	return new UsersStore(new UsersApi(server.client()));
}

describe('UsersStore', () => {
	it('lists those waiting for approval first', async () => {
		const store = setup(new FakeServer().on('GET /api/users', { status: 200, body: { users: [alice, bob] } }));
		await store.load();
		expect(store.users.map((u) => u.username)).toEqual(['bob', 'alice']);
		expect(store.pendingCount).toBe(1);
	});

	it('approves an account', async () => {
		const server = new FakeServer()
			.on('GET /api/users', { status: 200, body: { users: [alice, bob] } })
			.on('POST /api/users/2/approve', { status: 200, body: { ...bob, status: 'active' } });
		const store = setup(server);
		await store.load();
		expect(await store.approve(2)).toBe(true);
		expect(store.users.find((u) => u.id === 2)?.status).toBe('active');
		expect(store.pendingCount).toBe(0);
		expect(store.busy).toEqual({});
	});

	it("shows the server's 409 when the last admin would be demoted", async () => {
		const server = new FakeServer()
			.on('GET /api/users', { status: 200, body: { users: [alice] } })
			.on('PUT /api/users/1/role', { status: 409, body: { detail: LAST_ADMIN, code: 'conflict' } });
		const store = setup(server);
		await store.load();
		expect(await store.setRole(1, 'user')).toBe(false);
		expect(server.last('PUT', '/api/users/1/role')?.body).toEqual({ role: 'user' });
		expect(store.errors[1]).toBe(LAST_ADMIN);
		expect(store.users[0]?.role).toBe('admin');
	});

	it('deletes an account, and throws the refusal for the dialog', async () => {
		const server = new FakeServer()
			.on('GET /api/users', { status: 200, body: { users: [alice, bob] } })
			.on('DELETE /api/users/2', { status: 204 })
			.on('DELETE /api/users/1', { status: 409, body: { detail: 'The last admin cannot be removed: make another user admin first.' } });
		const store = setup(server);
		await store.load();
		await store.remove(2);
		expect(store.users.map((u) => u.username)).toEqual(['alice']);
		await expect(store.remove(1)).rejects.toThrow('The last admin cannot be removed');
		expect(store.users).toHaveLength(1);
	});

	it('shows why the list could not be loaded (403 for a non-admin)', async () => {
		const store = setup(new FakeServer().on('GET /api/users', { status: 403, body: { detail: 'Only admins can do this.' } }));
		await store.load();
		expect(store.loadError).toBe('Only admins can do this.');
	});

	it('sorts by name within each group', () => {
		const carol = user({ id: 3, username: 'carol', status: 'pending', role: 'user' });
		expect(sortUsers([alice, carol, bob]).map((u) => u.username)).toEqual(['bob', 'carol', 'alice']);
	});
});
