import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ProvidersApi } from '$lib/api/providers';
import { FakeServer } from '$lib/testing/fake-fetch';
import { anthropicCompatibleSpec, deepseekSpec, groqSpec, provider, testOk } from '$lib/testing/data';
import ProviderForm from './ProviderForm.svelte';

const BASE = '/api/settings/providers';

function setup(props: Partial<Parameters<typeof render<typeof ProviderForm>>[1] & object> = {}) {
	const server = new FakeServer();
	const onsaved = vi.fn();
	render(ProviderForm, {
		spec: groqSpec,
		api: new ProvidersApi(server.client()),
		onsaved,
		oncancel: () => {},
		...props
	});
	return { server, onsaved, user: userEvent.setup() };
}

describe('ProviderForm, new credential', () => {
	it("shows the type's default URL as the placeholder, never as the value", () => {
		setup();
		const url = screen.getByLabelText('Base URL') as HTMLInputElement;
		expect(url.placeholder).toBe('https://api.groq.com/openai');
		expect(url.value).toBe('');
	});

	it("shows the chosen protocol's default, or the shape of a URL where there is none", async () => {
		const { user } = setup({ spec: deepseekSpec });
		const url = screen.getByLabelText('Base URL') as HTMLInputElement;
		expect(url.placeholder).toBe('https://api.deepseek.com');
		await user.selectOptions(screen.getByLabelText('Protocol'), 'anthropic');
		expect(url.placeholder).toBe('https://api.deepseek.com/anthropic');
	});

	it("shows a type's example URL and note where it has no default", () => {
		setup({
			spec: { ...anthropicCompatibleSpec, base_url_example: 'https://res.example.com', note: 'A deployment name.' }
		});
		const url = screen.getByLabelText('Base URL') as HTMLInputElement;
		expect(url.placeholder).toBe('https://res.example.com');
		expect(url.required || url.getAttribute('aria-required') === 'true').toBe(true);
		expect(screen.getByText(/A deployment name\./)).toBeTruthy();
	});

	it('sends no base URL and no key when those fields are empty, then tests the connection', async () => {
		const { server, onsaved, user } = setup();
		server.on(`POST ${BASE}`, { status: 201, body: provider({ has_key: false, key_last4: null }) });
		server.on(`POST ${BASE}/1/test`, { status: 200, body: testOk });
		await user.type(screen.getByLabelText('Name'), 'groq-team');
		await user.click(screen.getByRole('button', { name: 'Save and test' }));

		expect(server.last('POST', BASE)?.body).toEqual({ name: 'groq-team', backend_type: 'groq' });
		expect(server.last('POST', `${BASE}/1/test`)).toBeDefined();
		expect(onsaved).toHaveBeenCalledWith(expect.objectContaining({ test: testOk, testError: null }));
	});

	it('sends a typed URL and key as given', async () => {
		const { server, user } = setup();
		server.on(`POST ${BASE}`, { status: 201, body: provider() });
		server.on(`POST ${BASE}/1/test`, { status: 200, body: testOk });
		await user.type(screen.getByLabelText('Name'), 'groq-b');
		await user.type(screen.getByLabelText('Base URL'), ' https://proxy.example/v1 ');
		await user.type(screen.getByLabelText('API key'), 'gsk_secret');
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(server.last('POST', BASE)?.body).toEqual({
			name: 'groq-b',
			backend_type: 'groq',
			base_url: 'https://proxy.example/v1',
			api_key: 'gsk_secret'
		});
	});

	it('shows the fixed protocol of a compatible type and offers no protocol choice', () => {
		setup({ spec: anthropicCompatibleSpec });
		expect(screen.queryByLabelText('Protocol')).toBeNull();
		expect(screen.getByText(/Anthropic protocol/)).toBeTruthy();
		expect((screen.getByLabelText('Base URL') as HTMLInputElement).value).toBe('');
	});

	it('lets the user pick the protocol where the type has more than one', async () => {
		const { server, user } = setup({ spec: deepseekSpec });
		server.on(`POST ${BASE}`, { status: 201, body: provider({ backend_type: 'deepseek' }) });
		server.on(`POST ${BASE}/1/test`, { status: 200, body: testOk });
		await user.type(screen.getByLabelText('Name'), 'ds');
		await user.selectOptions(screen.getByLabelText('Protocol'), 'anthropic');
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(server.last('POST', BASE)?.body).toMatchObject({ api_type: 'anthropic' });
	});

	it("shows the API's 422 messages next to their fields", async () => {
		const { server, onsaved, user } = setup({ spec: anthropicCompatibleSpec });
		server.on(`POST ${BASE}`, {
			status: 422,
			body: {
				detail: [
					{ loc: ['body', 'base_url'], msg: 'Anthropic-compatible providers need a base URL (none by default)', type: 'value_error' },
					{ loc: ['body', 'name'], msg: 'String should have at least 1 character', type: 'string_too_short' }
				]
			}
		});
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		const url = screen.getByLabelText('Base URL');
		expect(url.getAttribute('aria-invalid')).toBe('true');
		expect(url.getAttribute('aria-describedby')).toContain('-error');
		expect(screen.getByText('Anthropic-compatible providers need a base URL (none by default)')).toBeTruthy();
		expect(screen.getByText('String should have at least 1 character')).toBeTruthy();
		expect(onsaved).not.toHaveBeenCalled();
	});

	it('shows a 409 on the name field', async () => {
		const { server, user } = setup();
		server.on(`POST ${BASE}`, { status: 409, body: { detail: "A provider named 'a' already exists.", code: 'conflict' } });
		await user.type(screen.getByLabelText('Name'), 'a');
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
		expect(screen.getByText("A provider named 'a' already exists.")).toBeTruthy();
	});
});

describe('ProviderForm, saved credential', () => {
	const saved = provider({ id: 7, name: 'groq-team', key_last4: 'abcd' });

	it('shows the saved key only as ••••last4 and leaves the key field empty', () => {
		setup({ provider: saved });
		const key = screen.getByLabelText('API key') as HTMLInputElement;
		expect(key.value).toBe('');
		expect(key.placeholder).toBe('••••abcd');
		expect(screen.getByText(/Saved key ••••abcd/)).toBeTruthy();
		expect((screen.getByLabelText('Base URL') as HTMLInputElement).value).toBe('');
	});

	it('PATCHes a new name without the key', async () => {
		const { server, onsaved, user } = setup({ provider: saved });
		server.on(`PATCH ${BASE}/7`, { status: 200, body: { ...saved, name: 'groq-main' } });
		server.on(`POST ${BASE}/7/test`, { status: 200, body: testOk });
		const name = screen.getByLabelText('Name');
		await user.clear(name);
		await user.type(name, 'groq-main');
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(server.last('PATCH', `${BASE}/7`)?.body).toEqual({ name: 'groq-main' });
		expect(onsaved).toHaveBeenCalled();
	});

	it('PATCHes the key only when a new one is typed, and null to remove it', async () => {
		const { server, user } = setup({ provider: saved });
		server.on(`PATCH ${BASE}/7`, { status: 200, body: saved });
		server.on(`POST ${BASE}/7/test`, { status: 200, body: testOk });
		await user.type(screen.getByLabelText('API key'), 'gsk_new');
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(server.last('PATCH', `${BASE}/7`)?.body).toEqual({ api_key: 'gsk_new' });
	});

	it('sends null to go back to the default URL after clearing a custom one', async () => {
		const custom = provider({ id: 8, base_url: 'https://proxy.example', effective_base_url: 'https://proxy.example' });
		const { server, user } = setup({ provider: custom });
		server.on(`PATCH ${BASE}/8`, { status: 200, body: { ...custom, base_url: null } });
		server.on(`POST ${BASE}/8/test`, { status: 200, body: testOk });
		await user.clear(screen.getByLabelText('Base URL'));
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(server.last('PATCH', `${BASE}/8`)?.body).toEqual({ base_url: null });
	});

	it('reports a failed connection test after a successful save', async () => {
		const { server, onsaved, user } = setup({ provider: saved });
		const failed = { ok: false, status: 401, latency_ms: 5, models: [], error: 'The provider rejected the API key (401 Unauthorized). Check the key.' };
		server.on(`PATCH ${BASE}/7`, { status: 200, body: saved });
		server.on(`POST ${BASE}/7/test`, { status: 200, body: failed });
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(onsaved).toHaveBeenCalledWith({ provider: saved, test: failed, testError: null });
	});
});

describe('ProviderForm, keyboard', () => {
	it('moves focus to the first field the API rejected', async () => {
		const { server, user } = setup({ spec: anthropicCompatibleSpec });
		server.on(`POST ${BASE}`, {
			status: 422,
			body: { detail: [{ loc: ['body', 'base_url'], msg: 'must be an http:// or https:// URL with a host', type: 'value_error' }] }
		});
		await user.type(screen.getByLabelText('Name'), 'x');
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(document.activeElement).toBe(screen.getByLabelText('Base URL'));
	});
});

describe('ProviderForm, prices', () => {
	it('offers empty price fields with placeholders and sends a new override', async () => {
		const { server, user } = setup();
		server.on(`POST ${BASE}`, { status: 201, body: provider() });
		server.on(`POST ${BASE}/1/test`, { status: 200, body: testOk });
		const input = screen.getByLabelText('Input') as HTMLInputElement;
		expect(input.value).toBe('');
		expect(input.placeholder).toBe('e.g. 0.50');
		await user.type(screen.getByLabelText('Name'), 'groq-team');
		await user.type(screen.getByLabelText('Model'), 'llama-3.1-8b-instant');
		await user.type(input, '0.05');
		await user.type(screen.getByLabelText('Output'), '0.08');
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(server.last('POST', BASE)?.body).toEqual({
			name: 'groq-team',
			backend_type: 'groq',
			prices: { 'llama-3.1-8b-instant': { input_per_mtok: 0.05, output_per_mtok: 0.08 } }
		});
	});

	it('refuses a price without its output figure, sending nothing', async () => {
		const { server, user } = setup();
		await user.type(screen.getByLabelText('Name'), 'groq-team');
		await user.type(screen.getByLabelText('Model'), 'm');
		await user.type(screen.getByLabelText('Input'), '1');
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(screen.getByText(/needs the model name and its input and output prices/)).toBeTruthy();
		expect(server.last('POST', BASE)).toBeUndefined();
	});

	it('lists saved overrides, sends their removal, and leaves them out when unchanged', async () => {
		const saved = provider({ prices: { m1: { input_per_mtok: 1, output_per_mtok: 2 } } });
		const { server, user } = setup({ provider: saved });
		server.on(`PATCH ${BASE}/1`, { status: 200, body: saved });
		server.on(`POST ${BASE}/1/test`, { status: 200, body: testOk });
		expect(screen.getByText(/in \$1, out \$2 per million tokens/)).toBeTruthy();
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(server.last('PATCH', `${BASE}/1`)?.body).toEqual({});
		await user.click(screen.getByRole('button', { name: 'Remove the price of m1' }));
		await user.click(screen.getByRole('button', { name: 'Save and test' }));
		expect(server.last('PATCH', `${BASE}/1`)?.body).toEqual({ prices: {} });
	});
});
