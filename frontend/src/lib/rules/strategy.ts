// A rule's strategy: how it orders its targets for each request. Failover applies to them all.
import type { Strategy } from '$lib/api/rules';

export interface StrategyInfo {
	value: Strategy;
	label: string;
	/** One line for the form, under the select. */
	hint: string;
	/** What the targets list means under this strategy (the editor's legend). */
	targets: string;
}

export const STRATEGIES: StrategyInfo[] = [
	{
		value: 'ordered',
		label: 'Ordered',
		hint: 'Failover in the listed order: the first target serves, the next when it fails.',
		targets: 'tried in order; the next one serves when one fails'
	},
	{
		value: 'weighted',
		label: 'Weighted',
		hint: 'Spread requests at random by weight: weights 3 and 1 send 75% and 25% of them.',
		targets: 'picked at random by weight; another serves when one fails'
	},
	{
		value: 'least_busy',
		label: 'Least busy',
		hint: 'Send each request to the target with the fewest requests in flight.',
		targets: 'the one with the fewest requests in flight goes first'
	},
	{
		value: 'latency',
		label: 'Latency',
		hint: 'Prefer the target that started its replies fastest lately; others are re-measured now and then.',
		targets: 'the fastest lately goes first; another serves when one fails'
	}
];

export function strategyInfo(value: Strategy): StrategyInfo {
	return STRATEGIES.find((s) => s.value === value) ?? STRATEGIES[0]!;
}

export function strategyLabel(value: Strategy): string {
	return STRATEGIES.find((s) => s.value === value)?.label ?? value;
}
