import LurusPostgres

/// The billing schema, in integer micro-dollars (1 USD = 1,000,000): no floating point holds money.
///
/// The promises live in the database, not in the service: a wallet's `balance` never goes below what is
/// `reserved` nor below zero (a CHECK), a usage event is in the ledger at most once (`UNIQUE(request_id)`),
/// and a top-up at most once (`UNIQUE(idempotency_key)`). Every change of a wallet is one ledger row in the
/// same transaction, so the wallet always equals the sum of its ledger.
///
/// Lock order, the same in every function so that none deadlocks another: ledger rows, then holds
/// (`reservations`) in id order, then the keys' period rows (`key_spend`) in key order, then wallets in
/// user order. A function that needs several of one kind takes them sorted.
enum BillingMigrations {
    static let all: [Migration] = [Self.tables, Self.functions]

    static let tables = Migration(
        1,
        "users, keys, wallets, reservations, ledger",
        [
            """
            CREATE TABLE users (
                id text PRIMARY KEY,
                name text NOT NULL,
                email text UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE wallets (
                user_id text PRIMARY KEY REFERENCES users (id),
                balance bigint NOT NULL DEFAULT 0,
                reserved bigint NOT NULL DEFAULT 0,
                CONSTRAINT wallet_never_below_zero CHECK (reserved >= 0 AND balance >= reserved)
            )
            """,
            """
            CREATE TABLE api_keys (
                id text PRIMARY KEY,
                user_id text NOT NULL REFERENCES users (id),
                name text NOT NULL DEFAULT '',
                prefix text NOT NULL,
                sha256 text NOT NULL UNIQUE,
                budget_micros bigint CHECK (budget_micros >= 0),
                budget_period text CHECK (budget_period IN ('day', 'month')),
                rate_per_minute integer CHECK (rate_per_minute > 0),
                created_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz,
                CHECK ((budget_micros IS NULL) = (budget_period IS NULL))
            )
            """,
            "CREATE INDEX api_keys_user ON api_keys (user_id)",
            """
            CREATE TABLE key_spend (
                key_id text NOT NULL REFERENCES api_keys (id),
                period_start date NOT NULL,
                spent bigint NOT NULL DEFAULT 0,
                reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
                PRIMARY KEY (key_id, period_start)
            )
            """,
            """
            CREATE TABLE key_rate (
                key_id text NOT NULL,
                minute timestamptz NOT NULL,
                requests integer NOT NULL,
                PRIMARY KEY (key_id, minute)
            )
            """,
            """
            CREATE TABLE reservations (
                request_id text PRIMARY KEY,
                kind text NOT NULL DEFAULT 'request' CHECK (kind IN ('request', 'lease')),
                key_id text NOT NULL,
                user_id text NOT NULL,
                amount bigint NOT NULL CHECK (amount >= 0),
                granted bigint NOT NULL DEFAULT 0,
                period_start date,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                retired_at timestamptz
            )
            """,
            "CREATE INDEX reservations_expiry ON reservations (expires_at)",
            """
            CREATE TABLE ledger (
                id bigserial PRIMARY KEY,
                user_id text REFERENCES users (id),
                key_id text,
                kind text NOT NULL CHECK (kind IN ('usage', 'topup')),
                request_id text UNIQUE,
                idempotency_key text UNIQUE,
                amount bigint NOT NULL,
                cost bigint NOT NULL DEFAULT 0,
                shortfall bigint NOT NULL DEFAULT 0,
                balance_after bigint,
                model text,
                provider text,
                outcome text,
                input_tokens bigint,
                output_tokens bigint,
                cache_read_tokens bigint,
                cache_write_tokens bigint,
                note text,
                created_by text,
                occurred_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                CHECK ((kind = 'usage') = (request_id IS NOT NULL)),
                CHECK ((kind = 'topup') = (idempotency_key IS NOT NULL))
            )
            """,
            "CREATE INDEX ledger_user ON ledger (user_id, id)",
            "CREATE INDEX ledger_key ON ledger (key_id, id)",
        ]
    )

    static let functions = Migration(
        2,
        "reserve, lease, release, settle, expire, top up",
        [Self.reserve, Self.lease, Self.release, Self.settle, Self.expire, Self.topUp]
    )

    /// Holds `amount` of the key's wallet (and of its period budget) for one request, or refuses saying
    /// why. Idempotent by request id: a retried call answers as the first did. Check and hold are one
    /// conditional UPDATE each, so two requests can never both take the last of a balance.
    static let reserve = """
        CREATE FUNCTION billing_reserve(p_request_id text, p_key_id text, p_amount bigint, p_ttl_seconds integer)
        RETURNS TABLE (verdict text, available bigint)
        LANGUAGE plpgsql AS $$
        #variable_conflict use_column
        DECLARE
            k api_keys%ROWTYPE;
            v_period date;
            v_available bigint;
        BEGIN
            SELECT * INTO k FROM api_keys WHERE id = p_key_id;
            IF NOT FOUND THEN
                RETURN QUERY SELECT 'unknown_key'::text, 0::bigint;
                RETURN;
            END IF;
            IF k.revoked_at IS NOT NULL THEN
                RETURN QUERY SELECT 'revoked'::text, 0::bigint;
                RETURN;
            END IF;
            IF EXISTS (SELECT 1 FROM ledger WHERE request_id = p_request_id) THEN
                RETURN QUERY SELECT 'settled'::text, w.balance - w.reserved FROM wallets w WHERE w.user_id = k.user_id;
                RETURN;
            END IF;
            IF k.budget_period IS NOT NULL THEN
                v_period := date_trunc(k.budget_period, now() AT TIME ZONE 'UTC')::date;
            END IF;
            -- A hold's commit does not wait for the disk: a database crash may forget the last moment's
            -- holds, which settlement's cap (never more than the wallet holds) still keeps above zero.
            -- Settlements and top-ups commit synchronously.
            PERFORM set_config('synchronous_commit', 'off', true);
            INSERT INTO reservations (request_id, key_id, user_id, amount, granted, period_start, expires_at)
            VALUES (p_request_id, k.id, k.user_id, p_amount, p_amount, v_period,
                    now() + make_interval(secs => p_ttl_seconds))
            ON CONFLICT (request_id) DO NOTHING;
            IF NOT FOUND THEN
                RETURN QUERY SELECT 'reserved'::text, w.balance - w.reserved FROM wallets w WHERE w.user_id = k.user_id;
                RETURN;
            END IF;
            IF k.rate_per_minute IS NOT NULL THEN
                INSERT INTO key_rate AS r (key_id, minute, requests)
                VALUES (k.id, date_trunc('minute', now()), 1)
                ON CONFLICT (key_id, minute) DO UPDATE SET requests = r.requests + 1
                WHERE r.requests < k.rate_per_minute;
                IF NOT FOUND THEN
                    DELETE FROM reservations WHERE request_id = p_request_id;
                    RETURN QUERY SELECT 'rate_limited'::text, 0::bigint;
                    RETURN;
                END IF;
            END IF;
            IF v_period IS NOT NULL THEN
                INSERT INTO key_spend (key_id, period_start) VALUES (k.id, v_period) ON CONFLICT DO NOTHING;
                UPDATE key_spend SET reserved = reserved + p_amount
                WHERE key_id = k.id AND period_start = v_period AND spent + reserved + p_amount <= k.budget_micros;
                IF NOT FOUND THEN
                    DELETE FROM reservations WHERE request_id = p_request_id;
                    RETURN QUERY SELECT 'over_budget'::text, 0::bigint;
                    RETURN;
                END IF;
            END IF;
            UPDATE wallets SET reserved = reserved + p_amount
            WHERE user_id = k.user_id AND balance - reserved >= p_amount AND (balance - reserved > 0 OR p_amount = 0)
            RETURNING balance - reserved INTO v_available;
            IF NOT FOUND THEN
                DELETE FROM reservations WHERE request_id = p_request_id;
                IF v_period IS NOT NULL THEN
                    UPDATE key_spend SET reserved = reserved - p_amount WHERE key_id = k.id AND period_start = v_period;
                END IF;
                RETURN QUERY SELECT 'insufficient_balance'::text, w.balance - w.reserved FROM wallets w
                    WHERE w.user_id = k.user_id;
                RETURN;
            END IF;
            RETURN QUERY SELECT 'reserved'::text, v_available;
        END
        $$
        """

    /// Holds a block of a key's wallet (and period budget) for one gateway to spend from locally, so that
    /// the gateway need not call billing on every request: at least `p_minimum` (the request that asked),
    /// at most `p_want`, and never more than half of what is free, so that other gateways can still get
    /// some. The lease's requests name it in their usage events; each settles its cost out of the lease.
    /// The gateway gives back what it did not spend with `billing_release`; the rest expires.
    ///
    /// A key with a request rate limit gets `per_request`: the limit is counted exactly by per-request
    /// holds. Idempotent by lease id: a retried call answers with the lease's grant.
    static let lease = """
        CREATE FUNCTION billing_lease(p_lease_id text, p_key_id text, p_want bigint, p_minimum bigint, p_ttl_seconds integer)
        RETURNS TABLE (verdict text, granted bigint, available bigint)
        LANGUAGE plpgsql AS $$
        #variable_conflict use_column
        DECLARE
            k api_keys%ROWTYPE;
            v_period date;
            v_free bigint;
            v_budget_left bigint;
            v_limit bigint;
            v_grant bigint;
        BEGIN
            SELECT * INTO k FROM api_keys WHERE id = p_key_id;
            IF NOT FOUND THEN
                RETURN QUERY SELECT 'unknown_key'::text, 0::bigint, 0::bigint;
                RETURN;
            END IF;
            IF k.revoked_at IS NOT NULL THEN
                RETURN QUERY SELECT 'revoked'::text, 0::bigint, 0::bigint;
                RETURN;
            END IF;
            IF k.rate_per_minute IS NOT NULL THEN
                RETURN QUERY SELECT 'per_request'::text, 0::bigint, 0::bigint;
                RETURN;
            END IF;
            IF k.budget_period IS NOT NULL THEN
                v_period := date_trunc(k.budget_period, now() AT TIME ZONE 'UTC')::date;
            END IF;
            PERFORM set_config('synchronous_commit', 'off', true);
            -- The lease row first (lock order), empty until the grant is known.
            INSERT INTO reservations (request_id, kind, key_id, user_id, amount, period_start, expires_at)
            VALUES (p_lease_id, 'lease', k.id, k.user_id, 0, v_period, now() + make_interval(secs => p_ttl_seconds))
            ON CONFLICT (request_id) DO NOTHING;
            IF NOT FOUND THEN
                RETURN QUERY SELECT 'reserved'::text, r.granted, w.balance - w.reserved
                    FROM reservations r JOIN wallets w ON w.user_id = r.user_id WHERE r.request_id = p_lease_id;
                RETURN;
            END IF;
            IF v_period IS NOT NULL THEN
                INSERT INTO key_spend (key_id, period_start) VALUES (k.id, v_period) ON CONFLICT DO NOTHING;
                SELECT k.budget_micros - s.spent - s.reserved INTO v_budget_left FROM key_spend s
                WHERE s.key_id = k.id AND s.period_start = v_period FOR UPDATE;
            END IF;
            SELECT balance - reserved INTO v_free FROM wallets WHERE user_id = k.user_id FOR UPDATE;
            v_limit := least(v_free, coalesce(v_budget_left, v_free));
            IF v_limit < greatest(p_minimum, 1) THEN
                DELETE FROM reservations WHERE request_id = p_lease_id;
                IF v_budget_left IS NOT NULL AND v_budget_left < v_free THEN
                    RETURN QUERY SELECT 'over_budget'::text, 0::bigint, v_free;
                ELSE
                    RETURN QUERY SELECT 'insufficient_balance'::text, 0::bigint, v_free;
                END IF;
                RETURN;
            END IF;
            v_grant := least(p_want, greatest(p_minimum, v_limit / 2), v_limit);
            UPDATE reservations SET amount = v_grant, granted = v_grant WHERE request_id = p_lease_id;
            IF v_period IS NOT NULL THEN
                UPDATE key_spend SET reserved = reserved + v_grant WHERE key_id = k.id AND period_start = v_period;
            END IF;
            UPDATE wallets SET reserved = reserved + v_grant WHERE user_id = k.user_id;
            RETURN QUERY SELECT 'reserved'::text, v_grant, v_free - v_grant;
        END
        $$
        """

    /// A gateway is done with a lease: what it did not spend (`p_unused`, never more than the lease still
    /// holds) is free again at once. What its requests cost stays held until their usage events settle
    /// it, or the lease expires. Once per lease: a repeated release changes nothing.
    static let release = """
        CREATE FUNCTION billing_release(p_lease_id text, p_unused bigint)
        RETURNS TABLE (released bigint, still_held bigint)
        LANGUAGE plpgsql AS $$
        #variable_conflict use_column
        DECLARE
            r reservations%ROWTYPE;
            v_take bigint;
        BEGIN
            SELECT * INTO r FROM reservations WHERE request_id = p_lease_id AND kind = 'lease' FOR UPDATE;
            IF NOT FOUND THEN
                RETURN QUERY SELECT 0::bigint, 0::bigint;
                RETURN;
            END IF;
            IF r.retired_at IS NOT NULL THEN
                RETURN QUERY SELECT 0::bigint, r.amount;
                RETURN;
            END IF;
            v_take := least(r.amount, greatest(p_unused, 0));
            UPDATE reservations SET amount = amount - v_take, retired_at = now() WHERE request_id = p_lease_id;
            IF r.period_start IS NOT NULL THEN
                UPDATE key_spend SET reserved = reserved - v_take WHERE key_id = r.key_id AND period_start = r.period_start;
            END IF;
            UPDATE wallets SET reserved = reserved - v_take WHERE user_id = r.user_id;
            RETURN QUERY SELECT v_take, r.amount - v_take;
        END
        $$
        """

    /// Settles a batch of usage events in one transaction: each request once (a repeated request id is
    /// counted as a duplicate and changes nothing), its hold released, its cost charged — but never more
    /// than the wallet holds: what could not be charged is recorded as `shortfall`, so the gap is visible
    /// instead of a negative balance. Events for keys billing does not know are kept, unattributed.
    ///
    /// A request's hold is its own reservation (released whole) or, when the event names a lease, the
    /// lease, which gives up what the request cost and no more than it still holds.
    ///
    /// In passes that take locks in the schema's order (ledger rows, holds by id, period rows by key,
    /// wallets by user), so that two replicas settling at once, a lease being granted or released and the
    /// expiry sweep never wait on each other in a cycle. A wallet is locked once and only in the last
    /// pass: holds made meanwhile wait milliseconds, not the whole batch.
    static let settle = """
        CREATE FUNCTION billing_settle(
            p_request_ids text[], p_key_ids text[], p_leases text[], p_costs bigint[], p_models text[],
            p_providers text[], p_outcomes text[], p_input bigint[], p_output bigint[], p_cache_read bigint[],
            p_cache_write bigint[], p_occurred timestamptz[]
        )
        RETURNS TABLE (settled integer, duplicates integer, unattributed integer, shortfall bigint)
        LANGUAGE plpgsql AS $$
        #variable_conflict use_column
        DECLARE
            n integer := coalesce(array_length(p_request_ids, 1), 0);
            i integer;
            v_ids bigint[] := array_fill(NULL::bigint, ARRAY[greatest(n, 1)]);
            v_users text[] := array_fill(NULL::text, ARRAY[greatest(n, 1)]);
            v_released bigint[] := array_fill(0::bigint, ARRAY[greatest(n, 1)]);
            v_hold_periods date[] := array_fill(NULL::date, ARRAY[greatest(n, 1)]);
            v_periods date[] := array_fill(NULL::date, ARRAY[greatest(n, 1)]);
            v_hold record;
            v_row reservations%ROWTYPE;
            v_left bigint;
            v_id bigint;
            v_user text;
            v_budget_period text;
            v_current text := NULL;
            v_balance bigint;
            v_reserved bigint;
            v_charge bigint;
            v_settled integer := 0;
            v_duplicates integer := 0;
            v_unattributed integer := 0;
            v_shortfall bigint := 0;
        BEGIN
            -- Pass 1: the ledger rows. A request id already there is a duplicate and changes nothing.
            FOR i IN 1 .. n LOOP
                v_id := NULL;
                INSERT INTO ledger (kind, request_id, key_id, amount, cost, model, provider, outcome,
                                    input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, occurred_at)
                VALUES ('usage', p_request_ids[i], p_key_ids[i], 0, p_costs[i], nullif(p_models[i], ''),
                        nullif(p_providers[i], ''), p_outcomes[i], p_input[i], p_output[i], p_cache_read[i],
                        p_cache_write[i], p_occurred[i])
                ON CONFLICT (request_id) DO NOTHING
                RETURNING id INTO v_id;
                IF v_id IS NULL THEN
                    v_duplicates := v_duplicates + 1;
                ELSE
                    v_ids[i] := v_id;
                END IF;
            END LOOP;
            -- Pass 2: the holds, in id order. Each request's events of one lease in batch order.
            FOR v_hold IN
                SELECT coalesce(nullif(p_leases[t.i], ''), p_request_ids[t.i]) AS id,
                       array_agg(t.i ORDER BY t.i) AS events
                FROM generate_subscripts(p_request_ids, 1) AS t(i)
                WHERE v_ids[t.i] IS NOT NULL
                GROUP BY 1 ORDER BY 1
            LOOP
                SELECT * INTO v_row FROM reservations WHERE request_id = v_hold.id FOR UPDATE;
                CONTINUE WHEN NOT FOUND;
                IF v_row.kind = 'request' THEN
                    DELETE FROM reservations WHERE request_id = v_hold.id;
                    v_released[v_hold.events[1]] := v_row.amount;
                    v_hold_periods[v_hold.events[1]] := v_row.period_start;
                ELSE
                    v_left := v_row.amount;
                    FOREACH i IN ARRAY v_hold.events LOOP
                        v_released[i] := least(v_left, p_costs[i]);
                        v_left := v_left - v_released[i];
                        v_hold_periods[i] := v_row.period_start;
                    END LOOP;
                    UPDATE reservations SET amount = v_left WHERE request_id = v_hold.id;
                END IF;
            END LOOP;
            -- Pass 3: who pays, and the keys' period rows, in key order.
            FOR i IN SELECT t.i FROM generate_subscripts(p_request_ids, 1) AS t(i)
                     WHERE v_ids[t.i] IS NOT NULL ORDER BY p_key_ids[t.i], t.i LOOP
                v_user := NULL;
                v_budget_period := NULL;
                SELECT user_id, budget_period INTO v_user, v_budget_period FROM api_keys WHERE id = p_key_ids[i];
                IF v_user IS NULL THEN
                    UPDATE ledger SET shortfall = p_costs[i] WHERE id = v_ids[i];
                    v_unattributed := v_unattributed + 1;
                    CONTINUE;
                END IF;
                v_users[i] := v_user;
                IF v_budget_period IS NOT NULL THEN
                    v_periods[i] := coalesce(v_hold_periods[i],
                        date_trunc(v_budget_period, coalesce(p_occurred[i], now()) AT TIME ZONE 'UTC')::date);
                    INSERT INTO key_spend (key_id, period_start) VALUES (p_key_ids[i], v_periods[i])
                    ON CONFLICT DO NOTHING;
                    UPDATE key_spend
                    SET reserved = reserved - CASE WHEN v_hold_periods[i] IS NULL THEN 0 ELSE v_released[i] END
                    WHERE key_id = p_key_ids[i] AND period_start = v_periods[i];
                END IF;
            END LOOP;
            -- Pass 4: each wallet locked once, in user order; its events charged in batch order.
            FOR i IN SELECT t.i FROM unnest(v_users) WITH ORDINALITY AS t(u, i) WHERE t.u IS NOT NULL ORDER BY t.u, t.i LOOP
                IF v_current IS DISTINCT FROM v_users[i] THEN
                    IF v_current IS NOT NULL THEN
                        UPDATE wallets SET balance = v_balance, reserved = v_reserved WHERE user_id = v_current;
                    END IF;
                    v_current := v_users[i];
                    SELECT balance, reserved INTO v_balance, v_reserved FROM wallets WHERE user_id = v_current FOR UPDATE;
                END IF;
                v_reserved := v_reserved - v_released[i];
                v_charge := greatest(0, least(p_costs[i], v_balance - v_reserved));
                v_balance := v_balance - v_charge;
                UPDATE ledger SET user_id = v_current, amount = -v_charge, shortfall = p_costs[i] - v_charge,
                                  balance_after = v_balance
                WHERE id = v_ids[i];
                IF v_periods[i] IS NOT NULL THEN
                    UPDATE key_spend SET spent = spent + v_charge WHERE key_id = p_key_ids[i] AND period_start = v_periods[i];
                END IF;
                v_settled := v_settled + 1;
                v_shortfall := v_shortfall + p_costs[i] - v_charge;
            END LOOP;
            IF v_current IS NOT NULL THEN
                UPDATE wallets SET balance = v_balance, reserved = v_reserved WHERE user_id = v_current;
            END IF;
            RETURN QUERY SELECT v_settled, v_duplicates, v_unattributed, v_shortfall;
        END
        $$
        """

    /// Releases the holds of requests whose usage never came (the gateway died mid-request, the event was
    /// lost) and what is left of expired leases: past their expiry the money is available again. In the
    /// schema's lock order: the holds by id, then period rows by key, then wallets by user. Also forgets
    /// old rate-limit windows.
    static let expire = """
        CREATE FUNCTION billing_expire() RETURNS integer
        LANGUAGE plpgsql AS $$
        #variable_conflict use_column
        DECLARE
            v_keys text[];
            v_users text[];
            v_amounts bigint[];
            v_periods date[];
            e record;
        BEGIN
            WITH due AS (
                SELECT request_id FROM reservations WHERE expires_at < now() ORDER BY request_id FOR UPDATE
            ), gone AS (
                DELETE FROM reservations r USING due WHERE r.request_id = due.request_id
                RETURNING r.key_id, r.user_id, r.amount, r.period_start
            )
            SELECT array_agg(key_id), array_agg(user_id), array_agg(amount), array_agg(period_start)
            INTO v_keys, v_users, v_amounts, v_periods FROM gone;
            FOR e IN SELECT t.k, t.p, sum(t.a) AS amount FROM unnest(v_keys, v_periods, v_amounts) AS t(k, p, a)
                     WHERE t.p IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2 LOOP
                UPDATE key_spend SET reserved = reserved - e.amount WHERE key_id = e.k AND period_start = e.p;
            END LOOP;
            FOR e IN SELECT t.u, sum(t.a) AS amount FROM unnest(v_users, v_amounts) AS t(u, a)
                     GROUP BY 1 ORDER BY 1 LOOP
                UPDATE wallets SET reserved = reserved - e.amount WHERE user_id = e.u;
            END LOOP;
            DELETE FROM key_rate WHERE minute < now() - interval '5 minutes';
            RETURN coalesce(array_length(v_keys, 1), 0);
        END
        $$
        """

    /// Credits a wallet once per idempotency key: a retried top-up answers with the first one's row.
    static let topUp = """
        CREATE FUNCTION billing_top_up(p_user_id text, p_amount bigint, p_idempotency_key text, p_note text, p_by text)
        RETURNS TABLE (ledger_id bigint, user_id text, amount bigint, balance_after bigint, repeated boolean)
        LANGUAGE plpgsql AS $$
        #variable_conflict use_column
        DECLARE
            v_id bigint;
            v_balance bigint;
        BEGIN
            INSERT INTO ledger (user_id, kind, idempotency_key, amount, note, created_by)
            VALUES (p_user_id, 'topup', p_idempotency_key, p_amount, p_note, p_by)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id INTO v_id;
            IF v_id IS NULL THEN
                RETURN QUERY SELECT l.id, l.user_id, l.amount, l.balance_after, true FROM ledger l
                    WHERE l.idempotency_key = p_idempotency_key;
                RETURN;
            END IF;
            UPDATE wallets w SET balance = w.balance + p_amount WHERE w.user_id = p_user_id RETURNING w.balance INTO v_balance;
            UPDATE ledger SET balance_after = v_balance WHERE id = v_id;
            RETURN QUERY SELECT v_id, p_user_id, p_amount, v_balance, false;
        END
        $$
        """
}
