import LurusPostgres

/// The provider service's schema, applied at start by `Migrator` (service "provider"). Released
/// migrations never change: a change is a new one at the end.
public enum ProviderSchema {
    /// The service name the migrations are recorded under.
    public static let service = "provider"

    public static let migrations: [Migration] = [
        Migration(
            1,
            "providers, models, prices, catalog version, changes",
            [
                """
                CREATE TABLE providers (
                    id bigserial PRIMARY KEY,
                    name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
                    protocol text NOT NULL CHECK (protocol IN ('anthropic', 'openai', 'openai-responses', 'gemini')),
                    base_url text NOT NULL CHECK (base_url ~ '^https?://[^/]+'),
                    api_key_file text CHECK (api_key_file LIKE '/%'),
                    api_key_env text CHECK (api_key_env ~ '^[A-Z_][A-Z0-9_]*$'),
                    priority integer NOT NULL DEFAULT 0,
                    weight double precision NOT NULL DEFAULT 1 CHECK (weight > 0),
                    enabled boolean NOT NULL DEFAULT true,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    CHECK ((api_key_file IS NULL) <> (api_key_env IS NULL))
                )
                """,
                """
                CREATE TABLE models (
                    id bigserial PRIMARY KEY,
                    provider_id bigint NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
                    name text NOT NULL CHECK (name <> ''),
                    upstream text NOT NULL CHECK (upstream <> ''),
                    aliases text[] NOT NULL DEFAULT '{}',
                    enabled boolean NOT NULL DEFAULT true,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (provider_id, name)
                )
                """,
                """
                CREATE TABLE prices (
                    model_id bigint PRIMARY KEY REFERENCES models (id) ON DELETE CASCADE,
                    input numeric(20, 10) NOT NULL DEFAULT 0 CHECK (input >= 0),
                    output numeric(20, 10) NOT NULL DEFAULT 0 CHECK (output >= 0),
                    cache_read numeric(20, 10) NOT NULL DEFAULT 0 CHECK (cache_read >= 0),
                    cache_write numeric(20, 10) NOT NULL DEFAULT 0 CHECK (cache_write >= 0)
                )
                """,
                """
                CREATE TABLE catalog_version (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    version bigint NOT NULL
                )
                """,
                "INSERT INTO catalog_version (singleton, version) VALUES (true, 1)",
                """
                CREATE TABLE changes (
                    id bigserial PRIMARY KEY,
                    at timestamptz NOT NULL DEFAULT now(),
                    who text NOT NULL,
                    entity text NOT NULL CHECK (entity IN ('provider', 'model')),
                    name text NOT NULL,
                    action text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
                    before jsonb,
                    after jsonb,
                    version bigint NOT NULL
                )
                """,
            ]
        )
    ]
}
