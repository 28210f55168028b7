import { describe, expect, it } from 'vitest';
import { adminTokenMe, me, user } from '$lib/testing/data';
import { FakeServer } from '$lib/testing/fake-fetch';
import { COOKIE_REFUSED, Session, TOKEN_KEY } from './session.svelte';

const signedUp = { status: 200, body: { token: 'mms_x', expires_at: '2025-01-02T00:00:00Z', user: user() } };

describe('Session', () => {
	it('restores a stored admin token, sent as a bearer token', async () => {
		localStorage.setItem(TOKEN_KEY, 'stored');
		const server = new FakeServer().on('GET /api/auth/me', { status: 200, body: adminTokenMe });
		const session = new Session(localStorage, server.fetch);
		await session.restore();
		expect(server.calls[0]?.headers.Authorization).toBe('Bearer stored');
		expect(session.state).toBe('signed-in');
		expect(session.isAdmin).toBe(true);
		expect(session.who).toBe('admin token');
	});

	it("restores an account's session from its cookie, sending no token", async () => {
		const server = new FakeServer().on('GET /api/auth/me', { status: 200, body: me({ role: 'user', user: user({ username: 'bob', role: 'user' }) }) });
		const session = new Session(localStorage, server.fetch);
		await session.restore();
		expect(server.calls[0]?.headers.Authorization).toBeUndefined();
		expect(session.who).toBe('bob');
		expect(session.isAdmin).toBe(false);
	});

	it('forgets a stored token the server refuses, and says so', async () => {
		localStorage.setItem(TOKEN_KEY, 'stale');
		const server = new FakeServer().on('GET /api/auth/me', { status: 401, body: { detail: 'Sign in' } });
		const session = new Session(localStorage, server.fetch);
		await session.restore();
		expect(session.state).toBe('signed-out');
		expect(session.ended).toBe('token');
		expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
	});

	it('is simply signed out with neither token nor cookie', async () => {
		const server = new FakeServer().on('GET /api/auth/me', { status: 401, body: { detail: 'Sign in' } });
		const session = new Session(localStorage, server.fetch);
		await session.restore();
		expect(session.state).toBe('signed-out');
		expect(session.ended).toBeNull();
	});

	it('says when the server cannot be reached', async () => {
		const session = new Session(localStorage, () => Promise.reject(new TypeError('Failed to fetch')));
		await session.restore();
		expect(session.state).toBe('unreachable');
		expect(session.error).toContain('Could not reach the server');
	});

	it('signs in with an account, checks the cookie took, and drops a stored admin token', async () => {
		localStorage.setItem(TOKEN_KEY, 'old');
		const server = new FakeServer()
			.on('GET /api/auth/me', { status: 401, body: { detail: 'Sign in' } }, { status: 200, body: me() })
			.on('POST /api/auth/login', signedUp);
		const session = new Session(localStorage, server.fetch);
		await session.restore();
		await session.signIn('alice', 'correct horse');
		expect(server.last('POST', '/api/auth/login')?.body).toEqual({ username: 'alice', password: 'correct horse' });
		expect(server.last('GET', '/api/auth/me')?.headers.Authorization).toBeUndefined();
		expect(session.state).toBe('signed-in');
		expect(session.who).toBe('alice');
		expect(session.token).toBeNull();
		expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
	});

	it('explains a session cookie the browser did not keep', async () => {
		const server = new FakeServer()
			.on('POST /api/auth/login', signedUp)
			.on('GET /api/auth/me', { status: 401, body: { detail: 'Sign in' } });
		const session = new Session(localStorage, server.fetch);
		await expect(session.signIn('alice', 'correct horse')).rejects.toThrow(COOKIE_REFUSED);
		expect(session.state).not.toBe('signed-in');
	});

	it('a 401 while signed in ends the session; a 403 reads the role again', async () => {
		const server = new FakeServer()
			.on('GET /api/auth/me', { status: 200, body: me() }, { status: 200, body: me({ role: 'user', user: user({ role: 'user' }) }) })
			.on('GET /api/users', { status: 403, body: { detail: 'Only admins can do this' } })
			.on('GET /api/keys', { status: 401, body: { detail: 'Sign in' } });
		const session = new Session(localStorage, server.fetch);
		await session.restore();
		const client = session.client();
		await expect(client.get('/api/users')).rejects.toMatchObject({ status: 403 });
		await expect.poll(() => session.isAdmin).toBe(false);
		await expect(client.get('/api/keys')).rejects.toMatchObject({ status: 401 });
		expect(session.state).toBe('signed-out');
		expect(session.ended).toBe('session');
	});

	it('signs out on the server, then here', async () => {
		localStorage.setItem(TOKEN_KEY, 'tok');
		const server = new FakeServer().on('GET /api/auth/me', { status: 200, body: adminTokenMe }).on('POST /api/auth/logout', { status: 204 });
		const session = new Session(localStorage, server.fetch);
		await session.restore();
		await session.signOut();
		expect(server.last('POST', '/api/auth/logout')).toBeTruthy();
		expect(session.state).toBe('signed-out');
		expect(session.ended).toBeNull();
		expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
	});

	it('stays signed in when the server cannot be told', async () => {
		const server = new FakeServer().on('GET /api/auth/me', { status: 200, body: me() }).on('POST /api/auth/logout', { status: 503, body: { detail: 'down' } });
		const session = new Session(localStorage, server.fetch);
		await session.restore();
		await expect(session.signOut()).rejects.toThrow('down');
		expect(session.state).toBe('signed-in');
	});
});
