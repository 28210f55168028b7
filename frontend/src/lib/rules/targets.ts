// How a rule's targets read in the UI, and which of them need the user's attention.
import type { ProviderDefaults, ProviderPublic } from '$lib/api/providers';
import type { PatternType, RuleTarget, RuleTargetPublic } from '$lib/api/rules';

export const LOCAL = 'local';

type AnyTarget = RuleTarget | RuleTargetPublic;

export function targetLabel(target: AnyTarget, providers: readonly ProviderPublic[]): string {
	if (target.provider === LOCAL) return 'Local MLX engine';
	const id = target.provider;
	const named = 'provider_name' in target ? target.provider_name : null;
	return named ?? providers.find((p) => p.id === id)?.name ?? `Provider #${id}`;
}

/**
 * Why a target cannot serve, or null when it can. Saved targets carry the server's own reason;
 * a target being edited is checked against the provider list the page loaded.
 */
export function targetWarning(target: AnyTarget, providers: readonly ProviderPublic[]): string | null {
	if ('problem' in target) return target.problem;
	if (target.provider === LOCAL) return null;
	const id = target.provider;
	const provider = providers.find((p) => p.id === id);
	if (!provider) return `provider #${id} no longer exists; choose another target`;
	if (provider.key_status === 'unreadable') {
		return `the stored key of '${provider.name}' cannot be decrypted; re-enter it under Providers`;
	}
	return null;
}

export function typeLabel(
	provider: ProviderPublic | undefined,
	specs: readonly ProviderDefaults[]
): string | null {
	if (!provider) return null;
	return specs.find((s) => s.backend_type === provider.backend_type)?.label ?? provider.backend_type;
}

export const PATTERN_TYPES: { value: PatternType; label: string; hint: string; example: string }[] = [
	{ value: 'exact', label: 'Exact', hint: 'The whole model name, as the client sends it.', example: 'gpt-4o' },
	{ value: 'prefix', label: 'Prefix', hint: 'Every model name that starts with this.', example: 'claude-' },
	{ value: 'glob', label: 'Glob', hint: '* matches any run of characters, ? one character.', example: 'llama-3*-instruct' },
	{ value: 'regex', label: 'Regex', hint: 'A regular expression that must match the whole name.', example: '^qwen[0-9.]+-.*$' }
];

export function patternTypeLabel(value: PatternType): string {
	return PATTERN_TYPES.find((t) => t.value === value)?.label ?? value;
}

/** A target as the form edits it: selects hold strings, and an empty model means "unchanged". */
export interface TargetDraft {
	key: number;
	/** 'local' or a provider id as a string (a select's value). */
	provider: string;
	model: string;
}

export function toDrafts(targets: readonly AnyTarget[]): TargetDraft[] {
	return targets.map((t, i) => ({ key: i + 1, provider: String(t.provider), model: t.model ?? '' }));
}

export function fromDraft(draft: TargetDraft): RuleTarget {
	return {
		provider: draft.provider === LOCAL ? LOCAL : Number(draft.provider),
		model: draft.model.trim() || null
	};
}
