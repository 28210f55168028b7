import { describe, expect, it } from 'vitest';
import { ProviderModelsApi, type ProviderModels } from '$lib/api/providerModels';
import { FakeServer } from '$lib/testing/fake-fetch';
import { listHint, modelLabel, ProviderModelCatalog } from './models.svelte';

const LIST = '/api/settings/provider-models';

function listing(over: Partial<ProviderModels> = {}): ProviderModels {
	return { provider_id: 1, provider: 'groq-a', status: 'ok', error: null, fetched_at: 1_700_000_000, models: [], ...over };
}

function model(id: string, over: Partial<ProviderModels['models'][number]> = {}) {
	return { id, display_name: null, created: null, context_length: null, input_price: null, output_price: null, ...over };
}

function catalogOn(server: FakeServer): ProviderModelCatalog {
	return new ProviderModelCatalog(new ProviderModelsApi(server.client()));
}

describe('ProviderModelCatalog', () => {
	it('reads every list once, however many fields ask', async () => {
		const server = new FakeServer().on(`GET ${LIST}`, {
			status: 200,
			body: { providers: [listing({ models: [model('llama-3.1-8b')] }), listing({ provider_id: 2, status: 'unlisted' })] }
		});
		const catalog = catalogOn(server);
		await Promise.all([catalog.load(), catalog.load()]);
		await catalog.load();
		expect(server.calls.filter((c) => c.path === LIST)).toHaveLength(1);
		expect(catalog.get(1)?.models.map((m) => m.id)).toEqual(['llama-3.1-8b']);
		expect(catalog.get(2)?.status).toBe('unlisted');
		expect(catalog.get(3)).toBeUndefined();
	});

	it('says why the lists could not be read, and reads again on the next ask', async () => {
		const server = new FakeServer().on(
			`GET ${LIST}`,
			{ status: 503, body: { detail: 'The gateway is starting.' } },
			{ status: 200, body: { providers: [listing()] } }
		);
		const catalog = catalogOn(server);
		await catalog.load();
		expect(catalog.error).toContain('The gateway is starting.');
		await catalog.load();
		expect(catalog.error).toBeNull();
		expect(catalog.get(1)?.status).toBe('ok');
	});

	it('a refresh asks the gateway to fetch that provider again and keeps its answer', async () => {
		const server = new FakeServer()
			.on(`GET ${LIST}`, { status: 200, body: { providers: [listing(), listing({ provider_id: 2 })] } })
			.on(`POST ${LIST}/1/refresh`, { status: 200, body: listing({ models: [model('new-model')] }) });
		const catalog = catalogOn(server);
		await catalog.load();
		const pending = catalog.refresh(1);
		expect(catalog.refreshing.has(1)).toBe(true);
		await pending;
		expect(catalog.refreshing.has(1)).toBe(false);
		expect(server.last('POST', `${LIST}/1/refresh`)).toBeDefined();
		expect(catalog.get(1)?.models.map((m) => m.id)).toEqual(['new-model']);
		expect(catalog.get(2)?.models).toEqual([]);
	});

	it('a failed refresh keeps the names listed before and shows why', async () => {
		const server = new FakeServer()
			.on(`GET ${LIST}`, { status: 200, body: { providers: [listing({ models: [model('kept')] })] } })
			.on(`POST ${LIST}/1/refresh`, { status: 404, body: { detail: 'There is no provider 1.' } });
		const catalog = catalogOn(server);
		await catalog.load();
		await catalog.refresh(1);
		expect(catalog.get(1)).toMatchObject({ status: 'unavailable', error: 'There is no provider 1.' });
		expect(catalog.get(1)?.models.map((m) => m.id)).toEqual(['kept']);
	});
});

describe('listHint', () => {
	it('says nothing for a list with names, and why for one without', () => {
		expect(listHint(undefined)).toBeNull();
		expect(listHint(listing({ models: [model('a')] }))).toBeNull();
		expect(listHint(listing())).toBe('Its model list is empty.');
		expect(listHint(listing({ status: 'unlisted' }))).toContain('publishes no model list');
		expect(listHint(listing({ status: 'unavailable', error: 'HTTP 502 from upstream' }))).toBe(
			'Could not fetch its model list: HTTP 502 from upstream.'
		);
		expect(listHint(listing({ status: 'pending' }))).toContain('still being fetched');
	});
});

describe('modelLabel', () => {
	it('names the display name and context length where the provider gives them', () => {
		expect(modelLabel(model('a'))).toBe('');
		expect(modelLabel(model('a', { display_name: 'a' }))).toBe('');
		expect(modelLabel(model('a', { display_name: 'Model A', context_length: 131072 }))).toBe('Model A · 131,072 tokens');
	});
});
