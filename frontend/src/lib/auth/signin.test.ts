import { describe, expect, it } from 'vitest';
import { Session, TOKEN_KEY } from '$lib/session.svelte';
import { adminTokenMe, me, user } from '$lib/testing/data';
import { FakeServer } from '$lib/testing/fake-fetch';
import { PENDING, SignInFlow, TOKEN_REFUSED, USERNAME_RULE } from './signin.svelte';

function setup(server: FakeServer) {
	const session = new Session(localStorage, server.fetch);
	return { session, flow: new SignInFlow(session) };
}

const login = (u = user()) => ({ status: 200, body: { token: 'mms_x', expires_at: '2025-01-02T00:00:00Z', user: u } });

describe('SignInFlow with the admin token', () => {
	it('asks for a token, refuses a wrong one, keeps a right one', async () => {
		const server = new FakeServer().on('GET /api/auth/me', (call) =>
			call.headers.Authorization === 'Bearer right' ? { status: 200, body: adminTokenMe } : { status: 401, body: { detail: 'Sign in' } }
		);
		const { session, flow } = setup(server);
		flow.setMode('token');
		expect(await flow.submit()).toBe(false);
		expect(flow.fields.token).toBe('Paste the admin token.');
		expect(server.calls).toHaveLength(0);

		flow.token = 'wrong';
		expect(await flow.submit()).toBe(false);
		expect(flow.error).toBe(TOKEN_REFUSED);
		expect(session.state).not.toBe('signed-in');

		flow.token = ' right ';
		expect(await flow.submit()).toBe(true);
		expect(flow.error).toBeNull();
		expect(session.state).toBe('signed-in');
		expect(localStorage.getItem(TOKEN_KEY)).toBe('right');
	});
});

describe('SignInFlow with an account', () => {
	it("shows the server's refusal of a wrong password", async () => {
		const server = new FakeServer().on('POST /api/auth/login', { status: 401, body: { detail: 'Wrong username or password.' } });
		const { flow } = setup(server);
		flow.username = 'alice';
		flow.password = 'nope';
		expect(await flow.submit()).toBe(false);
		expect(flow.error).toBe('Wrong username or password.');
		expect(flow.busy).toBe(false);
	});

	it('tells an account waiting for approval so, not as an error (403)', async () => {
		const waiting = "This account is waiting for an admin's approval; sign in once it is approved.";
		const server = new FakeServer().on('POST /api/auth/login', { status: 403, body: { detail: waiting, code: 'permission_error' } });
		const { flow } = setup(server);
		flow.username = 'bob';
		flow.password = 'password1';
		expect(await flow.submit()).toBe(false);
		expect(flow.pending).toBe(waiting);
		expect(flow.error).toBeNull();
	});

	it('signs in', async () => {
		const server = new FakeServer().on('POST /api/auth/login', login()).on('GET /api/auth/me', { status: 200, body: me() });
		const { session, flow } = setup(server);
		flow.username = ' alice ';
		flow.password = 'correct horse';
		expect(await flow.submit()).toBe(true);
		expect(server.last('POST', '/api/auth/login')?.body).toEqual({ username: 'alice', password: 'correct horse' });
		expect(session.who).toBe('alice');
	});

	it('shows a rate limit (429) as the server words it', async () => {
		const server = new FakeServer().on('POST /api/auth/login', { status: 429, body: { detail: 'Too many attempts from this address; try again later.' } });
		const { flow } = setup(server);
		flow.username = 'alice';
		flow.password = 'x';
		await flow.submit();
		expect(flow.error).toBe('Too many attempts from this address; try again later.');
	});
});

describe('SignInFlow creating an account', () => {
	it('checks the name and password before asking the server', async () => {
		const server = new FakeServer();
		const { flow } = setup(server);
		flow.setMode('create');
		flow.username = 'a!';
		flow.password = 'short';
		expect(await flow.submit()).toBe(false);
		expect(flow.fields).toEqual({ username: `Not a valid username: ${USERNAME_RULE}`, password: 'Too short: use at least 8 characters.' });
		expect(server.calls).toHaveLength(0);
	});

	it('signs the first account (the admin) in at once', async () => {
		const server = new FakeServer()
			.on('POST /api/auth/signup', { status: 201, body: user() })
			.on('POST /api/auth/login', login())
			.on('GET /api/auth/me', { status: 200, body: me() });
		const { session, flow } = setup(server);
		flow.setMode('create');
		flow.username = 'alice';
		flow.password = 'correct horse';
		expect(await flow.submit()).toBe(true);
		expect(server.last('POST', '/api/auth/signup')?.body).toEqual({ username: 'alice', password: 'correct horse' });
		expect(session.isAdmin).toBe(true);
	});

	it('leaves a later account waiting, back on the sign-in form with its name', async () => {
		const server = new FakeServer().on('POST /api/auth/signup', { status: 201, body: user({ id: 2, username: 'bob', role: 'user', status: 'pending' }) });
		const { session, flow } = setup(server);
		flow.setMode('create');
		flow.username = 'Bob';
		flow.password = 'password1';
		expect(await flow.submit()).toBe(false);
		expect(server.last('POST', '/api/auth/login')).toBeUndefined();
		expect(flow.pending).toBe(PENDING);
		expect(flow.mode).toBe('account');
		expect(flow.username).toBe('bob');
		expect(flow.password).toBe('');
		expect(session.state).not.toBe('signed-in');
	});

	it('puts a taken name (409) on the username field', async () => {
		const server = new FakeServer().on('POST /api/auth/signup', { status: 409, body: { detail: "The username 'alice' is taken; choose another." } });
		const { flow } = setup(server);
		flow.setMode('create');
		flow.username = 'alice';
		flow.password = 'password1';
		await flow.submit();
		expect(flow.fields.username).toBe("The username 'alice' is taken; choose another.");
	});

	it('clears messages when the mode changes', async () => {
		const server = new FakeServer().on('POST /api/auth/login', { status: 401, body: { detail: 'Wrong username or password.' } });
		const { flow } = setup(server);
		flow.username = 'alice';
		flow.password = 'x';
		await flow.submit();
		flow.setMode('token');
		expect(flow.error).toBeNull();
	});
});
