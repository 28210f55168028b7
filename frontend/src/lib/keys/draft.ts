// A gateway key's form as text fields, and its translation to what /api/keys takes.
import type { FieldErrors } from '$lib/api/client';
import type { GatewayKey, KeyCreate, KeyUpdate } from '$lib/api/keys';
import { parseServerTime } from '$lib/format';

export interface KeyDraft {
	name: string;
	/** Glob patterns, one a line (commas work too); empty: every model. */
	patterns: string;
	requestsPerMinute: string;
	tokensPerMinute: string;
	/** A `datetime-local` value in this browser's time zone; empty: never. */
	expires: string;
}

const MAX_LIMIT = 1_000_000_000;

export function emptyDraft(): KeyDraft {
	return { name: '', patterns: '', requestsPerMinute: '', tokensPerMinute: '', expires: '' };
}

export function draftOf(key: GatewayKey): KeyDraft {
	return {
		name: key.name,
		patterns: key.model_patterns.join('\n'),
		requestsPerMinute: key.requests_per_minute?.toString() ?? '',
		tokensPerMinute: key.tokens_per_minute?.toString() ?? '',
		expires: key.expires_at ? toLocalInput(parseServerTime(key.expires_at)) : ''
	};
}

export function parsePatterns(text: string): string[] {
	const patterns = text.split(/[\n,]/).map((p) => p.trim()).filter(Boolean);
	return [...new Set(patterns)];
}

type Parsed = { ok: true; body: Required<KeyCreate> } | { ok: false; fields: FieldErrors };

/**
 * The whole key as the API takes it, or a message per field (the same rules the server keeps).
 * `before` is the key's draft when editing: an expiry left as it was need not be in the future.
 */
export function parseDraft(draft: KeyDraft, before: KeyDraft | null = null, now: Date = new Date()): Parsed {
	const fields: FieldErrors = {};
	const name = draft.name.trim();
	if (!name) fields.name = 'Give the key a name, so that the request log can say who called.';
	else if (name.length > 100) fields.name = 'At most 100 characters.';
	const requests = parseLimit(draft.requestsPerMinute, 'requests_per_minute', fields);
	const tokens = parseLimit(draft.tokensPerMinute, 'tokens_per_minute', fields);
	let expiresAt: string | null = null;
	if (draft.expires.trim()) {
		const at = new Date(draft.expires);
		if (Number.isNaN(at.getTime())) fields.expires_at = 'Not a date and time.';
		else if (at <= now && draft.expires !== before?.expires) fields.expires_at = 'Must be in the future.';
		else expiresAt = at.toISOString();
	}
	if (Object.keys(fields).length) return { ok: false, fields };
	return {
		ok: true,
		body: {
			name,
			model_patterns: parsePatterns(draft.patterns),
			requests_per_minute: requests,
			tokens_per_minute: tokens,
			expires_at: expiresAt
		}
	};
}

/** Only what changed (an expiry already past is left alone unless it is edited). */
export function changes(key: GatewayKey, draft: KeyDraft, body: Required<KeyCreate>): KeyUpdate {
	const before = draftOf(key);
	const update: KeyUpdate = {};
	if (body.name !== key.name) update.name = body.name;
	if (body.model_patterns.join('\n') !== key.model_patterns.join('\n')) update.model_patterns = body.model_patterns;
	if (body.requests_per_minute !== key.requests_per_minute) update.requests_per_minute = body.requests_per_minute;
	if (body.tokens_per_minute !== key.tokens_per_minute) update.tokens_per_minute = body.tokens_per_minute;
	if (draft.expires !== before.expires) update.expires_at = body.expires_at;
	return update;
}

/** The API's field errors keyed by the top field (`model_patterns.0` → `model_patterns`). */
export function topFields(fields: FieldErrors): FieldErrors {
	const top: FieldErrors = {};
	for (const [key, message] of Object.entries(fields)) {
		const name = key.split('.')[0]!;
		top[name] = top[name] ? `${top[name]}; ${message}` : message;
	}
	return top;
}

function parseLimit(text: string, field: string, fields: FieldErrors): number | null {
	const value = text.trim();
	if (!value) return null;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
		fields[field] = 'A whole number from 1 to 1,000,000,000, or empty for no limit.';
		return null;
	}
	return n;
}

function toLocalInput(date: Date): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
