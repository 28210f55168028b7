import { describe, expect, it, vi } from 'vitest';
import { FakeServer } from '$lib/testing/fake-fetch';
import { ApiClient, ApiError, fieldErrors } from './client';

describe('ApiClient', () => {
	it('sends the token as a bearer header', async () => {
		const server = new FakeServer().on('GET /api/x', { status: 200, body: { ok: 1 } });
		await expect(server.client().get('/api/x')).resolves.toEqual({ ok: 1 });
		expect(server.calls[0]?.headers.Authorization).toBe('Bearer test-token');
	});

	it('calls onUnauthorized on a 401 and throws the server message', async () => {
		const onUnauthorized = vi.fn();
		const server = new FakeServer().on('GET /api/x', { status: 401, body: { detail: 'Missing or wrong admin token', code: 'authentication_error' } });
		const error = await server.client(onUnauthorized).get('/api/x').catch((e: unknown) => e);
		expect(onUnauthorized).toHaveBeenCalledOnce();
		expect(error).toBeInstanceOf(ApiError);
		expect((error as ApiError).status).toBe(401);
		expect((error as ApiError).message).toBe('Missing or wrong admin token');
		expect((error as ApiError).code).toBe('authentication_error');
	});

	it('does not call onUnauthorized for other errors', async () => {
		const onUnauthorized = vi.fn();
		const server = new FakeServer().on('DELETE /api/x/1', { status: 404, body: { detail: 'No provider with id 1.' } });
		await expect(server.client(onUnauthorized).delete('/api/x/1')).rejects.toThrow('No provider with id 1.');
		expect(onUnauthorized).not.toHaveBeenCalled();
	});

	it('turns a 422 into a message per field', async () => {
		const server = new FakeServer().on('POST /api/x', {
			status: 422,
			body: { detail: [{ loc: ['body', 'targets', 0, 'model'], msg: 'Value error, too long', type: 'value_error' }] }
		});
		const error = (await server.client().post('/api/x', {}).catch((e: unknown) => e)) as ApiError;
		expect(error.fields).toEqual({ 'targets.0.model': 'too long' });
	});

	it('keeps every message given for one field', () => {
		expect(
			fieldErrors([
				{ loc: ['body', 'targets'], msg: 'target 1: no provider 9' },
				{ loc: ['body', 'targets'], msg: 'target 2: no provider 8' }
			])
		).toEqual({ targets: 'target 1: no provider 9; target 2: no provider 8' });
	});

	it('answers undefined for 204', async () => {
		const server = new FakeServer().on('DELETE /api/x/1', { status: 204 });
		await expect(server.client().delete('/api/x/1')).resolves.toBeUndefined();
	});

	it('says the server is unreachable when fetch itself fails', async () => {
		const client = new ApiClient({
			token: () => null,
			onUnauthorized: () => {},
			fetch: () => Promise.reject(new TypeError('Failed to fetch'))
		});
		await expect(client.get('/api/x')).rejects.toMatchObject({ status: 0, message: expect.stringContaining('Could not reach the server') });
	});
});
