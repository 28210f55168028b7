// The request log API (/api/logs): pages newest first, and exports, typed from the schema.
import type { ApiClient } from './client';
import type { components, operations } from './schema';

export type RequestLogEntry = components['schemas']['RequestLogPublic'];
export type RequestLogPage = components['schemas']['RequestLogPage'];
export type UnpricedModel = components['schemas']['UnpricedModel'];
type ListQuery = NonNullable<operations['list_logs_api_logs_get']['parameters']['query']>;
/** The filters both the list and the export take. */
export type LogFilters = Omit<ListQuery, 'cursor' | 'limit'>;
export type ExportFormat = NonNullable<NonNullable<operations['export_logs_api_logs_export_get']['parameters']['query']>['format']>;

const BASE = '/api/logs';

/** `?provider=…&status=4xx…` with the empty filters left out. */
export function logQuery(params: ListQuery & { format?: ExportFormat }): string {
	const search = new URLSearchParams();
	for (const [name, value] of Object.entries(params)) {
		if (value === null || value === undefined || value === '' || value === false) continue;
		search.set(name, String(value));
	}
	const text = search.toString();
	return text ? `?${text}` : '';
}

export class LogsApi {
	readonly #client: ApiClient;

	constructor(client: ApiClient) {
		this.#client = client;
	}

	page(filters: LogFilters, cursor: number | null, limit: number): Promise<RequestLogPage> {
		return this.#client.get<RequestLogPage>(BASE + logQuery({ ...filters, cursor, limit }));
	}

	/** Models the log has seen that no price covers, most requests first. */
	async unpriced(): Promise<UnpricedModel[]> {
		return (await this.#client.get<{ models: UnpricedModel[] }>(`${BASE}/unpriced`)).models;
	}

	/** Every matching row as a file (the export needs the admin token, so it is fetched, not linked). */
	async export(filters: LogFilters, format: ExportFormat): Promise<Blob> {
		const response = await this.#client.stream('GET', `${BASE}/export${logQuery({ ...filters, format })}`);
		return response.blob();
	}
}
