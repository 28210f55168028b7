// How a target's health reads in the UI, and how the server's health list maps onto targets.
import type { HealthState, RuleTargetPublic, TargetHealth } from '$lib/api/rules';
import { formatMs } from '$lib/format';
import { LOCAL } from './targets';

export type HealthTone = 'ok' | 'warn' | 'danger';

export const HEALTH_STATES: Record<HealthState, { label: string; tone: HealthTone }> = {
	healthy: { label: 'healthy', tone: 'ok' },
	probing: { label: 'probing', tone: 'warn' },
	backing_off: { label: 'backing off', tone: 'danger' }
};

export function healthLabel(state: HealthState): string {
	return HEALTH_STATES[state].label;
}

export function healthTone(state: HealthState): HealthTone {
	return HEALTH_STATES[state].tone;
}

/** "0%", "<1%", "33%": a failure rate that is not zero never reads as zero. */
export function formatErrorRate(rate: number): string {
	if (rate <= 0) return '0%';
	if (rate < 0.01) return '<1%';
	return `${Math.round(rate * 100)}%`;
}

/** The figures beside the badge: "33% errors (2 of 6) · 41 ms · 1 in flight". */
export function healthSummary(health: TargetHealth): string {
	const parts: string[] = [];
	if (health.requests === 0) parts.push('no recent requests');
	else parts.push(`${formatErrorRate(health.error_rate)} errors (${health.failures} of ${health.requests})`);
	if (health.latency_ms !== null) parts.push(formatMs(health.latency_ms));
	if (health.in_flight > 0) parts.push(`${health.in_flight} in flight`);
	return parts.join(' · ');
}

/** What the badge's tooltip says: the state, and when a target backing off is tried again. */
export function healthTitle(health: TargetHealth): string {
	switch (health.state) {
		case 'backing_off':
			return health.retry_in > 0
				? `Backing off: takes requests again in ${Math.ceil(health.retry_in)} s`
				: 'Backing off';
		case 'probing':
			return 'Probing: its cool-down is over; one request at a time tests it';
		default:
			return 'Healthy: takes requests';
	}
}

/** The server's key for a target: `provider:3/gpt-4o` or `local/qwen3`. */
export function targetKey(provider: number | typeof LOCAL, model: string): string {
	return provider === LOCAL ? `${LOCAL}/${model}` : `provider:${provider}/${model}`;
}

/**
 * A saved target's health: the latest list's entry when there is one, else what came with the
 * rule. Null for a target that sends the requested name unchanged (health is kept per name).
 */
export function healthOf(
	target: RuleTargetPublic,
	latest: ReadonlyMap<string, TargetHealth> | null
): TargetHealth | null {
	if (target.model === null) return null;
	return latest?.get(targetKey(target.provider, target.model)) ?? target.health;
}

/** The health list grouped by provider id (or 'local'), each group sorted by model name. */
export function healthByProvider(list: readonly TargetHealth[]): Map<number | typeof LOCAL, TargetHealth[]> {
	const groups = new Map<number | typeof LOCAL, TargetHealth[]>();
	for (const health of list) {
		const group = groups.get(health.provider);
		if (group) group.push(health);
		else groups.set(health.provider, [health]);
	}
	for (const group of groups.values()) group.sort((a, b) => a.model.localeCompare(b.model));
	return groups;
}
