// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { current, generate } from '../../../scripts/openapi_types.mjs';

describe('generated API types', () => {
	it("match the server's OpenAPI schema (run `npm run openapi:types` if not)", async () => {
		expect(current()).toBe(await generate());
	}, 60_000);
});
