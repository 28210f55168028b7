import { describe, expect, it } from 'vitest';
import { KeysApi } from '$lib/api/keys';
import { createdKey, gatewayKey } from '$lib/testing/data';
import { FakeServer } from '$lib/testing/fake-fetch';
import { draftOf, emptyDraft, type KeyDraft } from './draft';
import { KeysStore } from './keys.svelte';

function setup(server: FakeServer) {
	return new KeysStore(new KeysApi(server.client()));
}

function draft(overrides: Partial<KeyDraft> = {}): KeyDraft {
	return { ...emptyDraft(), name: 'ci', ...overrides };
}

describe('KeysStore', () => {
	it('creates a key: the secret is held once, never in the list', async () => {
		const server = new FakeServer()
			.on('GET /api/keys', { status: 200, body: { keys: [] } })
			.on('POST /api/keys', { status: 201, body: createdKey({ model_patterns: ['gpt-4o*', 'claude-*'], requests_per_minute: 60 }) });
		const store = setup(server);
		await store.load();
		expect(await store.create(draft({ patterns: 'gpt-4o*\n claude-* ,gpt-4o*', requestsPerMinute: '60' }))).toBe(true);
		expect(server.last('POST', '/api/keys')?.body).toEqual({
			name: 'ci',
			model_patterns: ['gpt-4o*', 'claude-*'],
			requests_per_minute: 60,
			tokens_per_minute: null,
			expires_at: null
		});
		expect(store.created?.key).toBe('mmk_AbCdEfGhIjKlMnOpQrStUvwxyz');
		expect(store.keys).toHaveLength(1);
		expect('key' in store.keys[0]!).toBe(false);

		store.dismissCreated();
		expect(store.created).toBeNull();
		expect(JSON.stringify(store.keys)).not.toContain('EfGh');
	});

	it('checks limits and expiry before asking the server', async () => {
		const server = new FakeServer().on('GET /api/keys', { status: 200, body: { keys: [] } });
		const store = setup(server);
		await store.load();
		expect(await store.create(draft({ name: ' ', requestsPerMinute: '1.5', tokensPerMinute: '0', expires: '2000-01-01T00:00' }))).toBe(false);
		expect(Object.keys(store.createForm.fields).sort()).toEqual(['expires_at', 'name', 'requests_per_minute', 'tokens_per_minute']);
		expect(server.last('POST', '/api/keys')).toBeUndefined();
	});

	it("puts the server's field errors on the form's fields", async () => {
		const server = new FakeServer()
			.on('GET /api/keys', { status: 200, body: { keys: [] } })
			.on('POST /api/keys', {
				status: 422,
				body: { detail: [{ loc: ['body', 'model_patterns', 0], msg: 'String should have at most 200 characters', type: 'string_too_long' }] }
			});
		const store = setup(server);
		await store.load();
		expect(await store.create(draft({ patterns: 'x'.repeat(201) }))).toBe(false);
		expect(store.createForm.fields).toEqual({ model_patterns: 'String should have at most 200 characters' });
		expect(store.created).toBeNull();
	});

	it('edits a key, sending only what changed; empty clears a limit', async () => {
		const key = gatewayKey({ requests_per_minute: 60, tokens_per_minute: 1000, model_patterns: ['gpt-*'], expires_at: '2000-01-01T00:00:00Z' });
		const server = new FakeServer()
			.on('GET /api/keys', { status: 200, body: { keys: [key] } })
			.on('PATCH /api/keys/1', { status: 200, body: { ...key, requests_per_minute: null, model_patterns: ['gpt-*', 'o1*'] } });
		const store = setup(server);
		await store.load();
		store.startEdit(1);
		// The expiry, already past, is left alone: only edited fields are sent.
		const edited = { ...draftOf(key), patterns: 'gpt-*\no1*', requestsPerMinute: '' };
		expect(await store.save(edited)).toBe(true);
		expect(server.last('PATCH', '/api/keys/1')?.body).toEqual({ model_patterns: ['gpt-*', 'o1*'], requests_per_minute: null });
		expect(store.editing).toBeNull();
		expect(store.keys[0]?.requests_per_minute).toBeNull();
	});

	it('revokes a key: it stays listed as revoked', async () => {
		const server = new FakeServer()
			.on('GET /api/keys', { status: 200, body: { keys: [gatewayKey()] } })
			.on('POST /api/keys/1/revoke', { status: 200, body: gatewayKey({ revoked: true, revoked_at: '2025-01-02T00:00:00Z' }) });
		const store = setup(server);
		await store.load();
		await store.revoke(1);
		expect(store.keys[0]?.revoked).toBe(true);
	});

	it('deletes a key, and throws the refusal for the dialog', async () => {
		const server = new FakeServer()
			.on('GET /api/keys', { status: 200, body: { keys: [gatewayKey(), gatewayKey({ id: 2, name: 'other' })] } })
			.on('DELETE /api/keys/1', { status: 204 })
			.on('DELETE /api/keys/2', { status: 404, body: { detail: 'No key with id 2.' } });
		const store = setup(server);
		await store.load();
		await store.remove(1);
		expect(store.keys.map((k) => k.name)).toEqual(['other']);
		await expect(store.remove(2)).rejects.toThrow('No key with id 2.');
	});
});
