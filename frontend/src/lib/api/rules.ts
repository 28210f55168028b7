// The routing rules API (/api/settings/rules), typed from the generated schema.
import type { ApiClient } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];
export type PatternType = Schemas['PatternType'];
/** How a rule orders its targets for each request: failover order, weights, load or latency. */
export type Strategy = Schemas['Strategy'];
export type Rule = Schemas['RulePublic'];
/** A saved target, with the server's word on whether it can serve now (`usable`, `problem`). */
export type RuleTargetPublic = Schemas['TargetPublic'];
/** A target as sent: a provider credential id or "local", and an optional model rewrite. */
export type RuleTarget = Schemas['TargetSpec'];
export type RuleInput = Schemas['RuleCreate'];
export type RuleUpdate = Schemas['RuleUpdate'];
export type RouteTest = Schemas['RouteTestResult'];
export type RouteTestTarget = Schemas['RouteTestTarget'];
/** One target's recent health (provider and model, or a local model), as this replica sees it. */
export type TargetHealth = Schemas['HealthPublic'];
export type HealthState = Schemas['HealthState'];
export type RuleListing = Schemas['RuleList'];
export type TimeoutDefaults = Schemas['TimeoutDefaults'];

const BASE = '/api/settings/rules';

export class RulesApi {
	readonly #client: ApiClient;

	constructor(client: ApiClient) {
		this.#client = client;
	}

	/** The rules in order, with the server's provider timeouts that targets without their own take. */
	list(): Promise<RuleListing> {
		return this.#client.get<RuleListing>(BASE);
	}

	create(body: RuleInput): Promise<Rule> {
		return this.#client.post<Rule>(BASE, body);
	}

	update(id: number, body: RuleUpdate): Promise<Rule> {
		return this.#client.patch<Rule>(`${BASE}/${id}`, body);
	}

	remove(id: number): Promise<void> {
		return this.#client.delete(`${BASE}/${id}`);
	}

	/** Every rule id in the new order; answers the rules as now ordered. */
	async reorder(ids: number[]): Promise<Rule[]> {
		return (await this.#client.put<Schemas['RuleList']>(`${BASE}/order`, { ids })).rules;
	}

	/** Every target used since the server started, with its state, error rate and latency. */
	async health(): Promise<TargetHealth[]> {
		return (await this.#client.get<Schemas['HealthList']>(`${BASE}/health`)).targets;
	}

	test(model: string): Promise<RouteTest> {
		return this.#client.post<RouteTest>(`${BASE}/test`, { model });
	}
}
