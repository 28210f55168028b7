// Values shaped exactly like the server's answers (see the generated schema types).
import type { ConnectionTestResult, ProviderDefaults, ProviderPublic } from '$lib/api/providers';
import type { Rule } from '$lib/api/rules';

export const groqSpec: ProviderDefaults = {
	backend_type: 'groq',
	label: 'Groq',
	api_type: 'openai',
	api_types: ['openai'],
	base_url: 'https://api.groq.com/openai',
	key_required: true
};

export const deepseekSpec: ProviderDefaults = {
	backend_type: 'deepseek',
	label: 'DeepSeek',
	api_type: 'openai',
	api_types: ['openai', 'anthropic'],
	base_url: 'https://api.deepseek.com',
	key_required: true
};

export const anthropicCompatibleSpec: ProviderDefaults = {
	backend_type: 'anthropic_compatible',
	label: 'Anthropic-compatible',
	api_type: 'anthropic',
	api_types: ['anthropic'],
	base_url: null,
	key_required: false
};

export function provider(overrides: Partial<ProviderPublic> = {}): ProviderPublic {
	return {
		id: 1,
		name: 'groq-team',
		backend_type: 'groq',
		api_type: 'openai',
		base_url: null,
		effective_base_url: 'https://api.groq.com/openai',
		has_key: true,
		key_last4: 'abcd',
		key_status: 'ok',
		created_at: '2025-01-01T00:00:00',
		updated_at: '2025-01-01T00:00:00',
		...overrides
	};
}

export const testOk: ConnectionTestResult = { ok: true, status: 200, latency_ms: 12.3, models: ['a', 'b'], error: null };

export function rule(id: number, pattern: string, overrides: Partial<Rule> = {}): Rule {
	return {
		id,
		pattern,
		pattern_type: 'prefix',
		targets: [{ provider: 'local', model: null, provider_name: null, usable: true, problem: null }],
		enabled: true,
		priority: id,
		description: '',
		created_at: '2025-01-01T00:00:00',
		updated_at: '2025-01-01T00:00:00',
		...overrides
	};
}
