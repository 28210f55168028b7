import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { LogsApi } from '$lib/api/logs';
import { ProvidersApi } from '$lib/api/providers';
import { FakeServer } from '$lib/testing/fake-fetch';
import { provider } from '$lib/testing/data';
import UnpricedModels from './UnpricedModels.svelte';

const seen = {
	provider: 'groq-team',
	provider_id: 1,
	model: 'new-model',
	requests: 3,
	input_tokens: 30,
	output_tokens: 12,
	last_seen: '2025-01-01T12:00:00Z'
};

describe('UnpricedModels', () => {
	it('lists unpriced models and prices one, keeping the provider’s other prices', async () => {
		const server = new FakeServer();
		const other = { input_per_mtok: 1, output_per_mtok: 2 };
		server
			.on('GET /api/logs/unpriced', { status: 200, body: { models: [seen] } })
			.on('GET /api/settings/providers', { status: 200, body: { providers: [provider({ prices: { other } })] } })
			.on('PATCH /api/settings/providers/1', { status: 200, body: provider() });
		const client = server.client();
		render(UnpricedModels, { logs: new LogsApi(client), providers: new ProvidersApi(client) });
		const user = userEvent.setup();
		await user.click(await screen.findByRole('button', { name: 'Set a price' }));
		await user.type(screen.getByLabelText('Input'), '0.2');
		await user.type(screen.getByLabelText('Output'), '0.6');
		server.on('GET /api/logs/unpriced', { status: 200, body: { models: [] } });
		await user.click(screen.getByRole('button', { name: 'Save price' }));
		expect(server.last('PATCH', '/api/settings/providers/1')?.body).toEqual({
			prices: { other, 'new-model': { input_per_mtok: 0.2, output_per_mtok: 0.6 } }
		});
		expect(screen.queryByText('new-model')).toBeNull();
	});
});
