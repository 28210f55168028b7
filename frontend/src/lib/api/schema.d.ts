/**
 * Generated from the server's OpenAPI schema by `npm run openapi:types`. Do not edit.
 */

export interface paths {
    "/api/admin-token/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate Admin Token
         * @description The old token stops working now; signed-in sessions go on.
         */
        post: operations["rotate_admin_token_api_admin_token_rotate_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign In */
        post: operations["sign_in_api_auth_login_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign Out
         * @description Revokes this session on the server and clears the cookie; with no live session (the
         *     admin token, or one already expired) there is only the cookie to clear.
         */
        post: operations["sign_out_api_auth_logout_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Me */
        get: operations["me_api_auth_me_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign Up
         * @description The first account becomes admin; later ones wait for an admin's approval.
         */
        post: operations["sign_up_api_auth_signup_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Keys */
        get: operations["list_keys_api_keys_get"];
        put?: never;
        /**
         * Create Key
         * @description Once any unrevoked key exists, every ``/v1`` call needs one.
         */
        post: operations["create_key_api_keys_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/keys/{key_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Key */
        get: operations["get_key_api_keys__key_id__get"];
        put?: never;
        post?: never;
        /** Delete Key */
        delete: operations["delete_key_api_keys__key_id__delete"];
        options?: never;
        head?: never;
        /** Update Key */
        patch: operations["update_key_api_keys__key_id__patch"];
        trace?: never;
    };
    "/api/keys/{key_id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke Key
         * @description The key stops working at once; it stays listed as revoked.
         */
        post: operations["revoke_key_api_keys__key_id__revoke_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Logs */
        get: operations["list_logs_api_logs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/logs/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Export Logs */
        get: operations["export_logs_api_logs_export_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/logs/unpriced": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Unpriced Models
         * @description Models the log has seen with no price, still unpriced now (most requests first).
         */
        get: operations["unpriced_models_api_logs_unpriced_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Models */
        get: operations["list_models_api_models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Download Model
         * @description Fetch a repo from the Hub; answers its progress as server-sent events.
         */
        post: operations["download_model_api_models_download_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/downloads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Downloads */
        get: operations["list_downloads_api_models_downloads_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/downloads/{download_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Download */
        get: operations["get_download_api_models_downloads__download_id__get"];
        put?: never;
        post?: never;
        /**
         * Cancel Download
         * @description Cancel a running download (its partial files are deleted), or forget a finished one.
         */
        delete: operations["cancel_download_api_models_downloads__download_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/downloads/{download_id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download Events */
        get: operations["download_events_api_models_downloads__download_id__events_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Engine Status */
        get: operations["engine_status_api_models_status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Model */
        get: operations["get_model_api_models__name__get"];
        put?: never;
        post?: never;
        /** Delete Model */
        delete: operations["delete_model_api_models__name__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{name}/load": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Load Model */
        post: operations["load_model_api_models__name__load_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{name}/pin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pin Model
         * @description Keep a model in memory: it is loaded if needed and never evicted.
         */
        post: operations["pin_model_api_models__name__pin_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{name}/unload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Unload Model */
        post: operations["unload_model_api_models__name__unload_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{name}/unpin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Unpin Model */
        post: operations["unpin_model_api_models__name__unpin_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Export Config */
        get: operations["export_config_api_settings_config_get"];
        put?: never;
        /** Import Config */
        post: operations["import_config_api_settings_config_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/huggingface-token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Hub Token */
        get: operations["get_hub_token_api_settings_huggingface_token_get"];
        /** Set Hub Token */
        put: operations["set_hub_token_api_settings_huggingface_token_put"];
        post?: never;
        /** Delete Hub Token */
        delete: operations["delete_hub_token_api_settings_huggingface_token_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/provider-models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Provider Models */
        get: operations["list_provider_models_api_settings_provider_models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/provider-models/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Refresh All
         * @description Every provider's list fetched again now.
         */
        post: operations["refresh_all_api_settings_provider_models_refresh_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/provider-models/{provider_id}/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Refresh One */
        post: operations["refresh_one_api_settings_provider_models__provider_id__refresh_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Providers */
        get: operations["list_providers_api_settings_providers_get"];
        put?: never;
        /** Create Provider */
        post: operations["create_provider_api_settings_providers_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/providers/defaults": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Provider Defaults */
        get: operations["provider_defaults_api_settings_providers_defaults_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/providers/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Test Unsaved Provider */
        post: operations["test_unsaved_provider_api_settings_providers_test_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/providers/{provider_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Provider */
        get: operations["get_provider_api_settings_providers__provider_id__get"];
        put?: never;
        post?: never;
        /** Delete Provider */
        delete: operations["delete_provider_api_settings_providers__provider_id__delete"];
        options?: never;
        head?: never;
        /** Update Provider */
        patch: operations["update_provider_api_settings_providers__provider_id__patch"];
        trace?: never;
    };
    "/api/settings/providers/{provider_id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Test Saved Provider */
        post: operations["test_saved_provider_api_settings_providers__provider_id__test_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Rules */
        get: operations["list_rules_api_settings_rules_get"];
        put?: never;
        /** Create Rule */
        post: operations["create_rule_api_settings_rules_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/rules/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Target Health
         * @description Each target's recent health: state, error rate, latency, requests in flight.
         */
        get: operations["target_health_api_settings_rules_health_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/rules/order": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Reorder Rules */
        put: operations["reorder_rules_api_settings_rules_order_put"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/rules/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Test Route */
        post: operations["test_route_api_settings_rules_test_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/settings/rules/{rule_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Rule */
        get: operations["get_rule_api_settings_rules__rule_id__get"];
        put?: never;
        post?: never;
        /** Delete Rule */
        delete: operations["delete_rule_api_settings_rules__rule_id__delete"];
        options?: never;
        head?: never;
        /** Update Rule */
        patch: operations["update_rule_api_settings_rules__rule_id__patch"];
        trace?: never;
    };
    "/api/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Users */
        get: operations["list_users_api_users_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete User
         * @description Removes the account and ends its sessions; the last admin cannot be removed (409).
         */
        delete: operations["delete_user_api_users__user_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/{user_id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve User */
        post: operations["approve_user_api_users__user_id__approve_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/{user_id}/role": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change Role
         * @description The last admin cannot be demoted (409).
         */
        put: operations["change_role_api_users__user_id__role_put"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health */
        get: operations["health_health_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Metrics */
        get: operations["metrics_metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Ready */
        get: operations["ready_ready_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** OpenAI chat completions */
        post: operations["chat_completions_v1_chat_completions_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** OpenAI embeddings */
        post: operations["embeddings_v1_embeddings_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Anthropic messages */
        post: operations["messages_v1_messages_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/messages/count_tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Anthropic token count */
        post: operations["count_tokens_v1_messages_count_tokens_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Model list (OpenAI's shape; Anthropic's for Anthropic clients) */
        get: operations["list_models_v1_models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{model_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One model (OpenAI's or Anthropic's shape)
         * @description A listed model, or a name the gateway routes (a rule matches it, or a provider's prefix
         *     whose list does not say otherwise); else a 404 in the caller's shape.
         */
        get: operations["retrieve_model_v1_models__model_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/responses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** OpenAI responses */
        post: operations["responses_v1_responses_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/responses/{response_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stored response */
        get: operations["get_response_v1_responses__response_id__get"];
        put?: never;
        post?: never;
        /** Delete a stored response */
        delete: operations["delete_response_v1_responses__response_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/responses/{response_id}/input_items": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stored response's input items */
        get: operations["list_input_items_v1_responses__response_id__input_items_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** AdminTokenRotated */
        AdminTokenRotated: {
            /** Stored In */
            stored_in: string;
            /** Token */
            token: string;
        };
        /**
         * ApiType
         * @description The wire protocol a caller or a provider speaks.
         * @enum {string}
         */
        ApiType: "openai" | "anthropic" | "openai_responses";
        /**
         * AuthStyle
         * @description The header a key travels in.
         * @enum {string}
         */
        AuthStyle: "bearer" | "x-api-key" | "api-key";
        /**
         * BackendType
         * @enum {string}
         */
        BackendType: "local" | "openai" | "anthropic" | "together" | "groq" | "fireworks" | "mistral" | "deepseek" | "gemini" | "openrouter" | "xai" | "cerebras" | "perplexity" | "azure_openai" | "moonshot" | "zhipu" | "minimax" | "qwen" | "ollama" | "lm_studio" | "vllm" | "llama_cpp" | "openai_compatible" | "anthropic_compatible" | "openai_responses_compatible";
        /** ConfigApplied */
        ConfigApplied: {
            /** Providers */
            providers: number;
            /** Rules */
            rules: number;
        };
        /** ConfigFile */
        ConfigFile: {
            /** Providers */
            providers?: components["schemas"]["ProviderEntry"][];
            /** Rules */
            rules?: components["schemas"]["RuleEntry"][];
        };
        /**
         * ConnectionTestRequest
         * @description An unsaved provider to test; ``name`` is optional here.
         */
        ConnectionTestRequest: {
            /** Api Key */
            api_key?: string | null;
            api_type?: components["schemas"]["ApiType"] | null;
            backend_type: components["schemas"]["BackendType"];
            /** Base Url */
            base_url?: string | null;
            /**
             * Name
             * @default unsaved
             */
            name: string;
            /** Prices */
            prices?: {
                [key: string]: components["schemas"]["ModelPrice"];
            };
        };
        /** ConnectionTestResult */
        ConnectionTestResult: {
            /** Error */
            error: string | null;
            /** Latency Ms */
            latency_ms: number;
            /** Models */
            models: string[];
            /** Ok */
            ok: boolean;
            /** Status */
            status: number | null;
        };
        /** Credentials */
        Credentials: {
            /**
             * Password
             * Format: password
             */
            password: string;
            /** Username */
            username: string;
        };
        /** DownloadList */
        DownloadList: {
            /** Downloads */
            downloads: components["schemas"]["DownloadPublic"][];
        };
        /** DownloadPublic */
        DownloadPublic: {
            /** Bytes Done */
            bytes_done: number;
            /** Bytes Total */
            bytes_total: number;
            /** Commit */
            commit: string;
            /** Error */
            error: string | null;
            /** Error Code */
            error_code: string | null;
            /** Files Done */
            files_done: number;
            /** Files Total */
            files_total: number;
            /** Id */
            id: string;
            /** Model */
            model: string;
            /** Repo Id */
            repo_id: string;
            /** Revision */
            revision: string;
            /**
             * Status
             * @enum {string}
             */
            status: "downloading" | "done" | "error" | "cancelled" | "interrupted";
        };
        /** DownloadRequest */
        DownloadRequest: {
            /**
             * Repo Id
             * @example mlx-community/Qwen2.5-0.5B-Instruct-4bit
             */
            repo_id: string;
            /** Revision */
            revision?: string | null;
        };
        /**
         * EndpointDefaults
         * @description One protocol a provider type serves.
         */
        EndpointDefaults: {
            api_type: components["schemas"]["ApiType"];
            auth: components["schemas"]["AuthStyle"];
            /** Base Url */
            base_url: string | null;
            /** Deployment Api Version */
            deployment_api_version: string | null;
            /** Models List */
            models_list: boolean;
        };
        /** EngineStatusPublic */
        EngineStatusPublic: {
            /** Loaded */
            loaded: components["schemas"]["LoadedModelPublic"][];
            /** Loading */
            loading: string[];
            /** Max Memory Bytes */
            max_memory_bytes: number | null;
            /** Max Models */
            max_models: number;
            /** Memory Bytes */
            memory_bytes: number;
            worker: components["schemas"]["WorkerStatsPublic"];
        };
        /** HTTPValidationError */
        HTTPValidationError: {
            /** Detail */
            detail?: components["schemas"]["ValidationError"][];
        };
        /** HealthList */
        HealthList: {
            /** Targets */
            targets: components["schemas"]["HealthPublic"][];
        };
        /**
         * HealthPublic
         * @description A target's recent health (this replica's view; ejections are shared between replicas).
         */
        HealthPublic: {
            /** Error Rate */
            error_rate: number;
            /** Failures */
            failures: number;
            /** In Flight */
            in_flight: number;
            /** Key */
            key: string;
            /** Latency Ms */
            latency_ms: number | null;
            /** Model */
            model: string;
            /** Provider */
            provider: number | "local";
            /** Requests */
            requests: number;
            /** Retry In */
            retry_in: number;
            state: components["schemas"]["HealthState"];
        };
        /**
         * HealthState
         * @enum {string}
         */
        HealthState: "healthy" | "backing_off" | "probing";
        /** HubTokenPublic */
        HubTokenPublic: {
            /** Has Token */
            has_token: boolean;
            /** Last4 */
            last4: string;
            /** Readable */
            readable: boolean;
        };
        /** HubTokenUpdate */
        HubTokenUpdate: {
            /**
             * Token
             * Format: password
             */
            token: string;
        };
        /** KeyCreate */
        KeyCreate: {
            /** Expires At */
            expires_at?: string | null;
            /** Model Patterns */
            model_patterns?: string[];
            /** Name */
            name: string;
            /** Requests Per Minute */
            requests_per_minute?: number | null;
            /** Tokens Per Minute */
            tokens_per_minute?: number | null;
        };
        /**
         * KeyCreated
         * @description The only response that holds the key itself; it cannot be shown again.
         */
        KeyCreated: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Expires At */
            expires_at: string | null;
            /** Id */
            id: number;
            /** Key */
            key: string;
            /** Last4 */
            last4: string;
            /** Last Used At */
            last_used_at: string | null;
            /** Model Patterns */
            model_patterns: string[];
            /** Name */
            name: string;
            /** Prefix */
            prefix: string;
            /** Requests Per Minute */
            requests_per_minute: number | null;
            /** Revoked */
            revoked: boolean;
            /** Revoked At */
            revoked_at: string | null;
            /** Tokens Per Minute */
            tokens_per_minute: number | null;
        };
        /** KeyList */
        KeyList: {
            /** Keys */
            keys: components["schemas"]["KeyPublic"][];
        };
        /** KeyPublic */
        KeyPublic: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Expires At */
            expires_at: string | null;
            /** Id */
            id: number;
            /** Last4 */
            last4: string;
            /** Last Used At */
            last_used_at: string | null;
            /** Model Patterns */
            model_patterns: string[];
            /** Name */
            name: string;
            /** Prefix */
            prefix: string;
            /** Requests Per Minute */
            requests_per_minute: number | null;
            /** Revoked */
            revoked: boolean;
            /** Revoked At */
            revoked_at: string | null;
            /** Tokens Per Minute */
            tokens_per_minute: number | null;
        };
        /**
         * KeyUpdate
         * @description Fields left out stay as they are; ``null`` clears a limit or the expiry.
         */
        KeyUpdate: {
            /** Expires At */
            expires_at?: string | null;
            /** Model Patterns */
            model_patterns?: string[] | null;
            /** Name */
            name?: string | null;
            /** Requests Per Minute */
            requests_per_minute?: number | null;
            /** Tokens Per Minute */
            tokens_per_minute?: number | null;
        };
        /** ListedModelPublic */
        ListedModelPublic: {
            /** Context Length */
            context_length: number | null;
            /** Created */
            created: number | null;
            /** Display Name */
            display_name: string | null;
            /** Id */
            id: string;
            /** Input Price */
            input_price: number | null;
            /** Output Price */
            output_price: number | null;
        };
        /** LoadRequest */
        LoadRequest: {
            /**
             * Pin
             * @default false
             */
            pin: boolean;
        };
        /** LoadedModelPublic */
        LoadedModelPublic: {
            /** Idle Seconds */
            idle_seconds: number;
            /** In Use */
            in_use: number;
            /** Name */
            name: string;
            /** Pinned */
            pinned: boolean;
            /** Size Bytes */
            size_bytes: number;
        };
        /** LocalModelList */
        LocalModelList: {
            /** Models */
            models: components["schemas"]["LocalModelPublic"][];
        };
        /** LocalModelPublic */
        LocalModelPublic: {
            /** Architecture */
            architecture: string | null;
            /**
             * Kind
             * @enum {string}
             */
            kind: "text" | "embeddings";
            /** Loaded */
            loaded: boolean;
            /** Name */
            name: string;
            /** Path */
            path: string;
            /** Pinned */
            pinned: boolean;
            /** Size Bytes */
            size_bytes: number;
            /**
             * Source
             * @enum {string}
             */
            source: "hf_cache" | "models_dir" | "registered";
        };
        /**
         * Me
         * @description Who the caller is: a user, or the start-up admin token (``user`` null).
         */
        Me: {
            role: components["schemas"]["Role"];
            user: components["schemas"]["UserPublic"] | null;
            /** Via */
            via: string;
        };
        /**
         * ModelPrice
         * @description A model's price in USD per million tokens, replacing the catalogue's. Cache reads and
         *     writes left out cost what other prompt tokens cost.
         */
        ModelPrice: {
            /** Cache Read Per Mtok */
            cache_read_per_mtok?: number | null;
            /** Cache Write Per Mtok */
            cache_write_per_mtok?: number | null;
            /** Input Per Mtok */
            input_per_mtok: number;
            /** Output Per Mtok */
            output_per_mtok: number;
        };
        /**
         * PatternType
         * @enum {string}
         */
        PatternType: "exact" | "prefix" | "glob" | "regex";
        /**
         * Priced
         * @enum {string}
         */
        Priced: "catalogue" | "override" | "local" | "unpriced";
        /** ProviderCreate */
        ProviderCreate: {
            /** Api Key */
            api_key?: string | null;
            api_type?: components["schemas"]["ApiType"] | null;
            backend_type: components["schemas"]["BackendType"];
            /** Base Url */
            base_url?: string | null;
            /** Name */
            name: string;
            /** Prices */
            prices?: {
                [key: string]: components["schemas"]["ModelPrice"];
            };
        };
        /** ProviderDefaults */
        ProviderDefaults: {
            api_type: components["schemas"]["ApiType"];
            /** Api Types */
            api_types: components["schemas"]["ApiType"][];
            backend_type: components["schemas"]["BackendType"];
            /** Base Url */
            base_url: string | null;
            /** Base Url Example */
            base_url_example: string | null;
            /** Docs Url */
            docs_url: string;
            /** Endpoints */
            endpoints: components["schemas"]["EndpointDefaults"][];
            group: components["schemas"]["ProviderGroup"];
            /** Key Required */
            key_required: boolean;
            /** Label */
            label: string;
            /** Models List */
            models_list: boolean;
            /** Note */
            note: string | null;
            /** Responses */
            responses: boolean;
        };
        /** ProviderDefaultsList */
        ProviderDefaultsList: {
            /** Providers */
            providers: components["schemas"]["ProviderDefaults"][];
        };
        /** ProviderEntry */
        ProviderEntry: {
            /** Api Key */
            api_key?: string | null;
            api_type?: components["schemas"]["ApiType"] | null;
            backend_type: components["schemas"]["BackendType"];
            /** Base Url */
            base_url?: string | null;
            /** Name */
            name: string;
            /** Prices */
            prices?: {
                [key: string]: components["schemas"]["ModelPrice"];
            } | null;
        };
        /**
         * ProviderGroup
         * @description How the provider form groups the types.
         * @enum {string}
         */
        ProviderGroup: "cloud" | "local_server" | "generic";
        /** ProviderList */
        ProviderList: {
            /** Providers */
            providers: components["schemas"]["ProviderPublic"][];
        };
        /** ProviderModelsList */
        ProviderModelsList: {
            /** Providers */
            providers: components["schemas"]["ProviderModelsPublic"][];
        };
        /** ProviderModelsPublic */
        ProviderModelsPublic: {
            /** Error */
            error: string | null;
            /** Fetched At */
            fetched_at: number | null;
            /** Models */
            models: components["schemas"]["ListedModelPublic"][];
            /** Provider */
            provider: string;
            /** Provider Id */
            provider_id: number;
            /**
             * Status
             * @enum {string}
             */
            status: "ok" | "unlisted" | "unavailable" | "pending";
        };
        /** ProviderPublic */
        ProviderPublic: {
            api_type: components["schemas"]["ApiType"];
            backend_type: components["schemas"]["BackendType"];
            /** Base Url */
            base_url: string | null;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Effective Base Url */
            effective_base_url: string;
            /** Has Key */
            has_key: boolean;
            /** Id */
            id: number;
            /** Key Last4 */
            key_last4: string | null;
            /** Key Status */
            key_status: string;
            /** Name */
            name: string;
            /** Prices */
            prices: {
                [key: string]: components["schemas"]["ModelPrice"];
            };
            /**
             * Updated At
             * Format: date-time
             */
            updated_at: string;
        };
        /**
         * ProviderUpdate
         * @description Fields left out stay as they are; ``api_key: null`` or ``""`` removes the stored key;
         *     ``prices`` replaces every override (``{}`` removes them).
         */
        ProviderUpdate: {
            /** Api Key */
            api_key?: string | null;
            api_type?: components["schemas"]["ApiType"] | null;
            backend_type?: components["schemas"]["BackendType"] | null;
            /** Base Url */
            base_url?: string | null;
            /** Name */
            name?: string | null;
            /** Prices */
            prices?: {
                [key: string]: components["schemas"]["ModelPrice"];
            } | null;
        };
        /** RequestLogPage */
        RequestLogPage: {
            /** Items */
            items: components["schemas"]["RequestLogPublic"][];
            /** Next Cursor */
            next_cursor: number | null;
        };
        /** RequestLogPublic */
        RequestLogPublic: {
            /** Api Key Name */
            api_key_name: string | null;
            /** Attempts */
            attempts: number;
            /** Cache Read Tokens */
            cache_read_tokens: number | null;
            /** Cache Write Tokens */
            cache_write_tokens: number | null;
            /** Completion */
            completion: string | null;
            /** Cost Usd */
            cost_usd: number | null;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Endpoint */
            endpoint: string;
            /** Error */
            error: string | null;
            /** Id */
            id: number;
            /** Input Tokens */
            input_tokens: number | null;
            /** Latency Ms */
            latency_ms: number;
            /** Model */
            model: string | null;
            /** Model Requested */
            model_requested: string | null;
            /** Output Tokens */
            output_tokens: number | null;
            priced: components["schemas"]["Priced"] | null;
            /** Prompt */
            prompt: string | null;
            /** Protocol */
            protocol: string;
            /** Provider */
            provider: string | null;
            /** Reasoning Tokens */
            reasoning_tokens: number | null;
            /** Request Id */
            request_id: string;
            /** Status */
            status: number;
            /** Stream */
            stream: boolean;
            /** Tokens Estimated */
            tokens_estimated: boolean;
            /** Ttft Ms */
            ttft_ms: number | null;
        };
        /**
         * Role
         * @enum {string}
         */
        Role: "admin" | "user";
        /** RoleChange */
        RoleChange: {
            role: components["schemas"]["Role"];
        };
        /**
         * RouteSource
         * @description Why a route was chosen.
         * @enum {string}
         */
        RouteSource: "rule" | "provider_prefix" | "local";
        /** RouteTestRequest */
        RouteTestRequest: {
            /** Model */
            model: string;
        };
        /** RouteTestResult */
        RouteTestResult: {
            /** Error */
            error: string | null;
            /** Model */
            model: string;
            /** Reason */
            reason: string | null;
            rule: components["schemas"]["RulePublic"] | null;
            source: components["schemas"]["RouteSource"] | null;
            strategy: components["schemas"]["Strategy"] | null;
            /** Targets */
            targets: components["schemas"]["RouteTestTarget"][];
        };
        /** RouteTestTarget */
        RouteTestTarget: {
            health: components["schemas"]["HealthPublic"] | null;
            kind: components["schemas"]["TargetKind"];
            /** Model */
            model: string;
            /** Picked */
            picked: boolean;
            /** Problem */
            problem: string | null;
            /** Provider Id */
            provider_id: number | null;
            /** Provider Name */
            provider_name: string | null;
            /** Usable */
            usable: boolean;
            /** Weighing */
            weighing: string | null;
        };
        /** RuleCreate */
        RuleCreate: {
            /**
             * Description
             * @default
             */
            description: string;
            /**
             * Enabled
             * @default true
             */
            enabled: boolean;
            /** Pattern */
            pattern: string;
            pattern_type: components["schemas"]["PatternType"];
            /** @default ordered */
            strategy: components["schemas"]["Strategy"];
            /** Targets */
            targets: components["schemas"]["TargetSpec"][];
        };
        /** RuleEntry */
        RuleEntry: {
            /**
             * Description
             * @default
             */
            description: string;
            /**
             * Enabled
             * @default true
             */
            enabled: boolean;
            /** Pattern */
            pattern: string;
            /** @default exact */
            pattern_type: components["schemas"]["PatternType"];
            /** @default ordered */
            strategy: components["schemas"]["Strategy"];
            /** Targets */
            targets: components["schemas"]["TargetEntry"][];
        };
        /** RuleList */
        RuleList: {
            /** Rules */
            rules: components["schemas"]["RulePublic"][];
            timeout_defaults: components["schemas"]["TimeoutDefaults"];
        };
        /**
         * RuleOrder
         * @description Every rule id, in the new priority order.
         */
        RuleOrder: {
            /** Ids */
            ids: number[];
        };
        /** RulePublic */
        RulePublic: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Description */
            description: string;
            /** Enabled */
            enabled: boolean;
            /** Id */
            id: number;
            /** Pattern */
            pattern: string;
            pattern_type: components["schemas"]["PatternType"];
            /** Priority */
            priority: number;
            strategy: components["schemas"]["Strategy"];
            /** Targets */
            targets: components["schemas"]["TargetPublic"][];
            /**
             * Updated At
             * Format: date-time
             */
            updated_at: string;
        };
        /**
         * RuleUpdate
         * @description Fields left out (or null) stay as they are. The order changes only through ``/order``.
         */
        RuleUpdate: {
            /** Description */
            description?: string | null;
            /** Enabled */
            enabled?: boolean | null;
            /** Pattern */
            pattern?: string | null;
            pattern_type?: components["schemas"]["PatternType"] | null;
            strategy?: components["schemas"]["Strategy"] | null;
            /** Targets */
            targets?: components["schemas"]["TargetSpec"][] | null;
        };
        /**
         * SessionPublic
         * @description A sign-in: the token (also set as an HttpOnly cookie) and when it stops working.
         */
        SessionPublic: {
            /**
             * Expires At
             * Format: date-time
             */
            expires_at: string;
            /** Token */
            token: string;
            user: components["schemas"]["UserPublic"];
        };
        /** SignIn */
        SignIn: {
            /**
             * Password
             * Format: password
             */
            password: string;
            /** Username */
            username: string;
        };
        /**
         * Strategy
         * @enum {string}
         */
        Strategy: "ordered" | "weighted" | "least_busy" | "latency";
        /** TargetEntry */
        TargetEntry: {
            /** Connect Timeout */
            connect_timeout?: number | null;
            /** First Byte Timeout */
            first_byte_timeout?: number | null;
            /** Idle Timeout */
            idle_timeout?: number | null;
            /** Model */
            model?: string | null;
            /** Provider */
            provider: string;
            /**
             * Weight
             * @default 1
             */
            weight: number;
        };
        /**
         * TargetKind
         * @enum {string}
         */
        TargetKind: "provider" | "local";
        /** TargetPublic */
        TargetPublic: {
            /** Connect Timeout */
            connect_timeout: number | null;
            /** First Byte Timeout */
            first_byte_timeout: number | null;
            health: components["schemas"]["HealthPublic"] | null;
            /** Idle Timeout */
            idle_timeout: number | null;
            /** Model */
            model: string | null;
            /** Problem */
            problem: string | null;
            /** Provider */
            provider: number | "local";
            /** Provider Name */
            provider_name: string | null;
            /** Usable */
            usable: boolean;
            /** Weight */
            weight: number;
        };
        /**
         * TargetSpec
         * @description ``{"provider": 3, "model": null, "weight": 1}`` or ``{"provider": "local", "model":
         *     "qwen3-8b"}``; timeouts left out take the server's defaults.
         */
        TargetSpec: {
            /** Connect Timeout */
            connect_timeout?: number | null;
            /** First Byte Timeout */
            first_byte_timeout?: number | null;
            /** Idle Timeout */
            idle_timeout?: number | null;
            /** Model */
            model?: string | null;
            /** Provider */
            provider: number | "local";
            /**
             * Weight
             * @default 1
             */
            weight: number;
        };
        /**
         * TimeoutDefaults
         * @description The server's provider timeouts (seconds), which a target without its own takes.
         */
        TimeoutDefaults: {
            /** Connect Timeout */
            connect_timeout: number;
            /** First Byte Timeout */
            first_byte_timeout: number;
            /** Idle Timeout */
            idle_timeout: number;
        };
        /**
         * UnpricedModel
         * @description A (provider, model) the log has seen that no price covers: give it one with the
         *     provider's ``prices``.
         */
        UnpricedModel: {
            /** Input Tokens */
            input_tokens: number;
            /**
             * Last Seen
             * Format: date-time
             */
            last_seen: string;
            /** Model */
            model: string;
            /** Output Tokens */
            output_tokens: number;
            /** Provider */
            provider: string;
            /** Provider Id */
            provider_id: number | null;
            /** Requests */
            requests: number;
        };
        /** UnpricedModelList */
        UnpricedModelList: {
            /** Models */
            models: components["schemas"]["UnpricedModel"][];
        };
        /** UserList */
        UserList: {
            /** Users */
            users: components["schemas"]["UserPublic"][];
        };
        /** UserPublic */
        UserPublic: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Id */
            id: number;
            role: components["schemas"]["Role"];
            status: components["schemas"]["UserStatus"];
            /** Username */
            username: string;
        };
        /**
         * UserStatus
         * @enum {string}
         */
        UserStatus: "pending" | "active";
        /** ValidationError */
        ValidationError: {
            /** Context */
            ctx?: Record<string, never>;
            /** Input */
            input?: unknown;
            /** Location */
            loc: (string | number)[];
            /** Message */
            msg: string;
            /** Error Type */
            type: string;
        };
        /** WorkerStatsPublic */
        WorkerStatsPublic: {
            /** Cancelled */
            cancelled: number;
            /** Decode Seconds */
            decode_seconds: number;
            /** Generated Tokens */
            generated_tokens: number;
            /** Last Batch Size */
            last_batch_size: number;
            /** Max Batch Size */
            max_batch_size: number;
            /** Requests */
            requests: number;
            /** Steps */
            steps: number;
            /** Tokens Per Second */
            tokens_per_second: number;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    rotate_admin_token_api_admin_token_rotate_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminTokenRotated"];
                };
            };
        };
    };
    sign_in_api_auth_login_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    sign_out_api_auth_logout_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    me_api_auth_me_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
        };
    };
    sign_up_api_auth_signup_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Credentials"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_keys_api_keys_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyList"];
                };
            };
        };
    };
    create_key_api_keys_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["KeyCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyCreated"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_key_api_keys__key_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_key_api_keys__key_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    update_key_api_keys__key_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key_id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["KeyUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    revoke_key_api_keys__key_id__revoke_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_logs_api_logs_get: {
        parameters: {
            query?: {
                /** @description next_cursor of the previous page */
                cursor?: number | null;
                limit?: number;
                provider?: string | null;
                /** @description asked for or served */
                model?: string | null;
                /** @description e.g. 429, or 4xx for a class */
                status?: string | null;
                /** @description gateway key name */
                key?: string | null;
                /** @description ISO 8601; UTC when no offset */
                since?: string | null;
                until?: string | null;
                /** @description only failed or broken-off requests */
                errors?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestLogPage"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    export_logs_api_logs_export_get: {
        parameters: {
            query?: {
                format?: "csv" | "jsonl";
                provider?: string | null;
                /** @description asked for or served */
                model?: string | null;
                /** @description e.g. 429, or 4xx for a class */
                status?: string | null;
                /** @description gateway key name */
                key?: string | null;
                /** @description ISO 8601; UTC when no offset */
                since?: string | null;
                until?: string | null;
                /** @description only failed or broken-off requests */
                errors?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    unpriced_models_api_logs_unpriced_get: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnpricedModelList"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_models_api_models_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LocalModelList"];
                };
            };
        };
    };
    download_model_api_models_download_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DownloadRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_downloads_api_models_downloads_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadList"];
                };
            };
        };
    };
    get_download_api_models_downloads__download_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                download_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    cancel_download_api_models_downloads__download_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                download_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    download_events_api_models_downloads__download_id__events_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                download_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    engine_status_api_models_status_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EngineStatusPublic"];
                };
            };
        };
    };
    get_model_api_models__name__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LocalModelPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_model_api_models__name__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    load_model_api_models__name__load_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["LoadRequest"] | null;
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LocalModelPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    pin_model_api_models__name__pin_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LocalModelPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    unload_model_api_models__name__unload_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LocalModelPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    unpin_model_api_models__name__unpin_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LocalModelPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    export_config_api_settings_config_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConfigFile"];
                };
            };
        };
    };
    import_config_api_settings_config_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConfigFile"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConfigApplied"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_hub_token_api_settings_huggingface_token_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HubTokenPublic"];
                };
            };
        };
    };
    set_hub_token_api_settings_huggingface_token_put: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["HubTokenUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HubTokenPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_hub_token_api_settings_huggingface_token_delete: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    list_provider_models_api_settings_provider_models_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProviderModelsList"];
                };
            };
        };
    };
    refresh_all_api_settings_provider_models_refresh_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProviderModelsList"];
                };
            };
        };
    };
    refresh_one_api_settings_provider_models__provider_id__refresh_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                provider_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProviderModelsPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_providers_api_settings_providers_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProviderList"];
                };
            };
        };
    };
    create_provider_api_settings_providers_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProviderCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProviderPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    provider_defaults_api_settings_providers_defaults_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProviderDefaultsList"];
                };
            };
        };
    };
    test_unsaved_provider_api_settings_providers_test_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConnectionTestRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionTestResult"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_provider_api_settings_providers__provider_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                provider_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProviderPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_provider_api_settings_providers__provider_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                provider_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    update_provider_api_settings_providers__provider_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                provider_id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProviderUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProviderPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    test_saved_provider_api_settings_providers__provider_id__test_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                provider_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionTestResult"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_rules_api_settings_rules_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RuleList"];
                };
            };
        };
    };
    create_rule_api_settings_rules_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RuleCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RulePublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    target_health_api_settings_rules_health_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthList"];
                };
            };
        };
    };
    reorder_rules_api_settings_rules_order_put: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RuleOrder"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RuleList"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    test_route_api_settings_rules_test_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RouteTestRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RouteTestResult"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_rule_api_settings_rules__rule_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                rule_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RulePublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_rule_api_settings_rules__rule_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                rule_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    update_rule_api_settings_rules__rule_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                rule_id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RuleUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RulePublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_users_api_users_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserList"];
                };
            };
        };
    };
    delete_user_api_users__user_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    approve_user_api_users__user_id__approve_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    change_role_api_users__user_id__role_put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RoleChange"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    health_health_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    metrics_metrics_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ready_ready_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description storage unreachable or not migrated */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    chat_completions_v1_chat_completions_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    embeddings_v1_embeddings_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    messages_v1_messages_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    count_tokens_v1_messages_count_tokens_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    list_models_v1_models_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    retrieve_model_v1_models__model_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                model_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    responses_v1_responses_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    get_response_v1_responses__response_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                response_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_response_v1_responses__response_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                response_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_input_items_v1_responses__response_id__input_items_get: {
        parameters: {
            query?: {
                limit?: number;
                order?: "asc" | "desc";
                after?: string | null;
            };
            header?: never;
            path: {
                response_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
}
