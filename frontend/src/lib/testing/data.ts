// Values shaped exactly like the server's answers (see the generated schema types).
import type { ConnectionTestResult, ProviderDefaults, ProviderPublic } from '$lib/api/providers';
import type { Rule, RuleTargetPublic, TargetHealth } from '$lib/api/rules';
import type { RequestLogEntry } from '$lib/api/logs';
import type { Download, EngineStatus, LocalModel } from '$lib/api/models';
import type { Me, UserPublic } from '$lib/api/auth';
import type { CreatedKey, GatewayKey } from '$lib/api/keys';

export const groqSpec: ProviderDefaults = {
	backend_type: 'groq',
	label: 'Groq',
	api_type: 'openai',
	api_types: ['openai'],
	base_url: 'https://api.groq.com/openai',
	key_required: true,
	group: 'cloud',
	endpoints: [
		{ api_type: 'openai', base_url: 'https://api.groq.com/openai', auth: 'bearer', deployment_api_version: null, models_list: true }
	],
	models_list: true,
	responses: false,
	docs_url: 'https://console.groq.com/docs/openai',
	base_url_example: null,
	note: null
};

export const deepseekSpec: ProviderDefaults = {
	backend_type: 'deepseek',
	label: 'DeepSeek',
	api_type: 'openai',
	api_types: ['openai', 'anthropic'],
	base_url: 'https://api.deepseek.com',
	key_required: true,
	group: 'cloud',
	endpoints: [
		{ api_type: 'openai', base_url: 'https://api.deepseek.com', auth: 'bearer', deployment_api_version: null, models_list: true },
		{ api_type: 'anthropic', base_url: 'https://api.deepseek.com/anthropic', auth: 'x-api-key', deployment_api_version: null, models_list: false }
	],
	models_list: true,
	responses: false,
	docs_url: 'https://api-docs.deepseek.com/',
	base_url_example: null,
	note: null
};

export const anthropicCompatibleSpec: ProviderDefaults = {
	backend_type: 'anthropic_compatible',
	label: 'Anthropic-compatible',
	api_type: 'anthropic',
	api_types: ['anthropic'],
	base_url: null,
	key_required: false,
	group: 'generic',
	endpoints: [{ api_type: 'anthropic', base_url: null, auth: 'x-api-key', deployment_api_version: null, models_list: true }],
	models_list: true,
	responses: false,
	docs_url: 'https://docs.anthropic.com/en/api/messages',
	base_url_example: 'https://llm.example.com',
	note: null
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
		prices: {},
		created_at: '2025-01-01T00:00:00',
		updated_at: '2025-01-01T00:00:00',
		...overrides
	};
}

export const testOk: ConnectionTestResult = { ok: true, status: 200, latency_ms: 12.3, models: ['a', 'b'], error: null };

export function targetHealth(overrides: Partial<TargetHealth> = {}): TargetHealth {
	return {
		key: 'provider:1/llama-3.1-8b',
		provider: 1,
		model: 'llama-3.1-8b',
		state: 'healthy',
		requests: 0,
		failures: 0,
		error_rate: 0,
		latency_ms: null,
		in_flight: 0,
		retry_in: 0,
		...overrides
	};
}

export function ruleTarget(overrides: Partial<RuleTargetPublic> = {}): RuleTargetPublic {
	return {
		provider: 'local',
		model: null,
		weight: 1,
		connect_timeout: null,
		first_byte_timeout: null,
		idle_timeout: null,
		provider_name: null,
		usable: true,
		problem: null,
		health: null,
		...overrides
	};
}

export function rule(id: number, pattern: string, overrides: Partial<Rule> = {}): Rule {
	return {
		id,
		pattern,
		pattern_type: 'prefix',
		strategy: 'ordered',
		targets: [ruleTarget()],
		enabled: true,
		priority: id,
		description: '',
		created_at: '2025-01-01T00:00:00',
		updated_at: '2025-01-01T00:00:00',
		...overrides
	};
}

export function download(overrides: Partial<Download> = {}): Download {
	return {
		id: 'd1',
		repo_id: 'mlx-community/tiny',
		revision: 'main',
		commit: 'abc123',
		status: 'downloading',
		bytes_done: 0,
		bytes_total: 1000,
		files_done: 0,
		files_total: 3,
		model: 'mlx-community/tiny',
		error: null,
		error_code: null,
		...overrides
	};
}

export function localModel(overrides: Partial<LocalModel> = {}): LocalModel {
	return {
		name: 'tiny-llama',
		path: '/data/models/tiny-llama',
		size_bytes: 2_400_000,
		architecture: 'llama',
		kind: 'text',
		source: 'models_dir',
		loaded: false,
		pinned: false,
		...overrides
	};
}

export const engineStatus: EngineStatus = {
	loaded: [],
	loading: [],
	memory_bytes: 0,
	max_models: 2,
	max_memory_bytes: 8_000_000_000,
	worker: {
		requests: 0,
		cancelled: 0,
		steps: 0,
		generated_tokens: 0,
		max_batch_size: 0,
		last_batch_size: 0,
		decode_seconds: 0,
		tokens_per_second: 0
	}
};

export function logEntry(id: number, overrides: Partial<RequestLogEntry> = {}): RequestLogEntry {
	return {
		id,
		created_at: '2025-01-01T12:00:00Z',
		request_id: `req-${id}`,
		api_key_name: null,
		endpoint: '/v1/chat/completions',
		protocol: 'openai',
		model_requested: 'echo/claude-fake-1',
		provider: 'echo',
		model: 'claude-fake-1',
		attempts: 1,
		stream: true,
		status: 200,
		error: null,
		latency_ms: 120.5,
		ttft_ms: 40.2,
		input_tokens: 4,
		output_tokens: 5,
		cache_read_tokens: 0,
		cache_write_tokens: 0,
		reasoning_tokens: 0,
		tokens_estimated: false,
		cost_usd: 0.000123,
		priced: 'catalogue',
		prompt: null,
		completion: null,
		...overrides
	};
}

export function user(overrides: Partial<UserPublic> = {}): UserPublic {
	return { id: 1, username: 'alice', role: 'admin', status: 'active', created_at: '2025-01-01T12:00:00', ...overrides };
}

/** `GET /api/auth/me` for a signed-in account, or (with `user: null`) for the admin token. */
export function me(overrides: Partial<Me> = {}): Me {
	return { role: 'admin', via: 'session', user: user(), ...overrides };
}

export const adminTokenMe: Me = { role: 'admin', via: 'admin_token', user: null };

export function gatewayKey(overrides: Partial<GatewayKey> = {}): GatewayKey {
	return {
		id: 1,
		name: 'ci',
		prefix: 'mmk_AbCd',
		last4: 'wxyz',
		model_patterns: [],
		requests_per_minute: null,
		tokens_per_minute: null,
		expires_at: null,
		revoked: false,
		revoked_at: null,
		created_at: '2025-01-01T12:00:00Z',
		last_used_at: null,
		...overrides
	};
}

export function createdKey(overrides: Partial<CreatedKey> = {}): CreatedKey {
	return { ...gatewayKey(), key: 'mmk_AbCdEfGhIjKlMnOpQrStUvwxyz', ...overrides };
}
