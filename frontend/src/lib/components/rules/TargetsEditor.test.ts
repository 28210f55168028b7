import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ProviderModelsApi, type ProviderModels } from '$lib/api/providerModels';
import { ProviderModelCatalog } from '$lib/providers/models.svelte';
import { groqSpec, provider } from '$lib/testing/data';
import { FakeServer } from '$lib/testing/fake-fetch';
import RuleForm from './RuleForm.svelte';

const LIST = '/api/settings/provider-models';

function listing(providerId: number, over: Partial<ProviderModels> = {}): ProviderModels {
	return { provider_id: providerId, provider: `p${providerId}`, status: 'ok', error: null, fetched_at: 1, models: [], ...over };
}

function model(id: string, display_name: string | null = null) {
	return { id, display_name, created: null, context_length: null, input_price: null, output_price: null };
}

function setup(server: FakeServer) {
	const catalog = new ProviderModelCatalog(new ProviderModelsApi(server.client()));
	const providers = [provider({ id: 3, name: 'groq-b' }), provider({ id: 4, name: 'groq-c' }), provider({ id: 5, name: 'groq-d' })];
	// Through the rule form, which holds the targets as state the editor binds to.
	render(RuleForm, { providers, specs: [groqSpec], catalog, save: async () => { throw new Error('not saved here'); }, onsaved: () => {}, oncancel: () => {} });
	return userEvent.setup();
}

function offered(field: HTMLElement): string[] {
	const id = field.getAttribute('list');
	if (!id) return [];
	return [...document.getElementById(id)!.querySelectorAll('option')].map((o) => o.value);
}

describe('TargetsEditor model names', () => {
	const server = () =>
		new FakeServer().on(`GET ${LIST}`, {
			status: 200,
			body: {
				providers: [
					listing(3, { models: [model('llama-3.1-8b-instant', 'Llama 3.1 8B'), model('mixtral-8x7b')] }),
					listing(4, { status: 'unlisted' }),
					listing(5, { status: 'unavailable', error: 'HTTP 502 from the provider' })
				]
			}
		});

	it("offers the chosen provider's listed names and still takes any typed name", async () => {
		const fake = server();
		const user = setup(fake);
		const field = screen.getByLabelText('Model sent to target 1');
		// The local engine has no provider list: nothing is read or offered.
		expect(field.getAttribute('list')).toBeNull();
		expect(fake.calls).toHaveLength(0);
		await user.selectOptions(screen.getByLabelText('Target 1'), '3');
		await waitFor(() => expect(offered(field)).toEqual(['llama-3.1-8b-instant', 'mixtral-8x7b']));
		expect(screen.getByText('2 listed')).toBeTruthy();
		await user.type(field, 'not-in-the-list');
		expect((field as HTMLInputElement).value).toBe('not-in-the-list');
	});

	it('says when a provider publishes no list or could not be read', async () => {
		const user = setup(server());
		const field = screen.getByLabelText('Model sent to target 1');
		await user.selectOptions(screen.getByLabelText('Target 1'), '4');
		expect(await screen.findByText(/publishes no model list/)).toBeTruthy();
		expect(field.getAttribute('list')).toBeNull();
		await user.selectOptions(screen.getByLabelText('Target 1'), '5');
		expect(await screen.findByText('Could not fetch its model list: HTTP 502 from the provider.')).toBeTruthy();
	});

	it('the refresh button fetches the list again and offers the new names', async () => {
		const fake = server().on(`POST ${LIST}/5/refresh`, { status: 200, body: listing(5, { models: [model('back-up')] }) });
		const user = setup(fake);
		await user.selectOptions(screen.getByLabelText('Target 1'), '5');
		await user.click(await screen.findByRole('button', { name: 'Refresh model list of target 1' }));
		const field = screen.getByLabelText('Model sent to target 1');
		await waitFor(() => expect(offered(field)).toEqual(['back-up']));
		expect(fake.last('POST', `${LIST}/5/refresh`)).toBeDefined();
		expect(screen.queryByText(/Could not fetch/)).toBeNull();
	});
});
