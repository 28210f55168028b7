// How a rule's targets read in the UI, and which of them need the user's attention.
import type { FieldErrors } from '$lib/api/client';
import type { ProviderDefaults, ProviderPublic } from '$lib/api/providers';
import type { PatternType, RuleTarget, RuleTargetPublic } from '$lib/api/rules';

export const LOCAL = 'local';

/** A saved target, or one being edited (only its provider is known for sure). */
type AnyTarget = Pick<RuleTarget, 'provider'> | RuleTargetPublic;

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

/** The per-target timeouts, in seconds; empty takes the server's default (the rules list says it). */
export const TIMEOUTS = [
	{ field: 'connect_timeout', label: 'Connect', hint: 'to open a connection' },
	{ field: 'first_byte_timeout', label: 'First byte', hint: 'until the reply starts' },
	{ field: 'idle_timeout', label: 'Stream idle', hint: 'between chunks of a stream' }
] as const;

export type TimeoutField = (typeof TIMEOUTS)[number]['field'];

// The server's bounds (routing/schemas.py): weights 1–1000, timeouts up to an hour.
export const MAX_WEIGHT = 1000;
export const MAX_TIMEOUT = 3600;

/** A target as the form edits it: text fields, an empty model means "unchanged". */
export interface TargetDraft extends Record<TimeoutField, string> {
	key: number;
	/** 'local' or a provider id as a string (a select's value). */
	provider: string;
	model: string;
	/** A whole number; empty means 1. */
	weight: string;
}

export function newDraft(key: number): TargetDraft {
	return { key, provider: LOCAL, model: '', weight: '1', connect_timeout: '', first_byte_timeout: '', idle_timeout: '' };
}

export function toDrafts(targets: readonly RuleTargetPublic[]): TargetDraft[] {
	return targets.map((t, i) => ({
		key: i + 1,
		provider: String(t.provider),
		model: t.model ?? '',
		weight: String(t.weight),
		connect_timeout: t.connect_timeout?.toString() ?? '',
		first_byte_timeout: t.first_byte_timeout?.toString() ?? '',
		idle_timeout: t.idle_timeout?.toString() ?? ''
	}));
}

export function draftProvider(draft: TargetDraft): number | typeof LOCAL {
	return draft.provider === LOCAL ? LOCAL : Number(draft.provider);
}

/** Whether the draft sets a timeout of its own (its advanced part is then shown open). */
export function hasTimeouts(draft: TargetDraft): boolean {
	return TIMEOUTS.some(({ field }) => draft[field].trim() !== '');
}

export type ParsedTargets = { ok: true; targets: RuleTarget[] } | { ok: false; fields: FieldErrors };

/**
 * The targets as the API takes them, or a message per field (`targets.0.weight`) by the rules
 * the server keeps, so that a typo shows before anything is sent.
 */
export function parseTargets(drafts: readonly TargetDraft[]): ParsedTargets {
	const fields: FieldErrors = {};
	const targets = drafts.map((draft, index): RuleTarget => {
		const at = `targets.${index}`;
		const weight = draft.weight.trim() === '' ? 1 : Number(draft.weight);
		if (!Number.isInteger(weight) || weight < 1 || weight > MAX_WEIGHT) {
			fields[`${at}.weight`] = `A whole number from 1 to ${MAX_WEIGHT}.`;
		}
		const timeouts = {} as Record<TimeoutField, number | null>;
		for (const { field } of TIMEOUTS) {
			const text = draft[field].trim();
			const seconds = text === '' ? null : Number(text);
			if (seconds !== null && !(seconds > 0 && seconds <= MAX_TIMEOUT)) {
				fields[`${at}.${field}`] = `Seconds, more than 0 and at most ${MAX_TIMEOUT}; empty for the default.`;
			}
			timeouts[field] = seconds;
		}
		return { provider: draftProvider(draft), model: draft.model.trim() || null, weight, ...timeouts };
	});
	return Object.keys(fields).length ? { ok: false, fields } : { ok: true, targets };
}
