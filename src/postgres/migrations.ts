// The PostgreSQL schema, as numbered migrations. Each is plain SQL written for one schema
// (the `s` argument: a quoted identifier such as "habilitations"), so the bundler ships it
// inside the library and `migrate()` needs no files at run time.
//
// Rules for adding one: never edit a migration once released; add the next number; keep
// it safe to run inside one transaction (no CREATE INDEX CONCURRENTLY here: a host that
// needs one on a large table runs it by hand first, with IF NOT EXISTS in the migration).

/** One step of the schema. */
export interface Migration {
  /** 1, 2, 3…: applied in this order, each once. */
  readonly version: number;
  /** What it does, recorded beside the version. */
  readonly description: string;
  /** The SQL, for a schema given as a quoted identifier. */
  readonly sql: (s: string) => string;
}

/**
 * Tables, keys and indexes.
 *
 * Every aggregate is one row: its full JSON in `data` (what reads return, exactly as
 * written), its `version`, and columns *generated* from `data` for the keys and indexes
 * (they can never disagree with it, whatever writes the row). Two keys are set by the
 * library instead, because they are compared as the library normalises them (JavaScript
 * `trim()` and `toLowerCase()`, which do not depend on the database's locale):
 * `users.login_key` and `services.code_key`.
 *
 * Text that orders a listing (ids, instants) is `COLLATE "C"`, so ORDER BY follows code
 * points as the memory store's string comparison does, whatever the database's collation.
 */
const tables = (s: string) => `
CREATE TABLE ${s}.structures (
  data jsonb NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'id') STORED PRIMARY KEY,
  primary_manager_id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'primaryManagerId') STORED NOT NULL
);

CREATE TABLE ${s}.services (
  data jsonb NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  code_key text NOT NULL,
  id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'id') STORED PRIMARY KEY,
  structure_id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'structureId') STORED NOT NULL,
  code text COLLATE "C" GENERATED ALWAYS AS (data ->> 'code') STORED NOT NULL
);
-- One service code per structure, whatever its case.
CREATE UNIQUE INDEX services_code_key ON ${s}.services (structure_id, code_key);

CREATE TABLE ${s}.users (
  data jsonb NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  login_key text NOT NULL,
  id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'id') STORED PRIMARY KEY,
  -- One account per login, compared trimmed and in lower case.
  CONSTRAINT users_login_key UNIQUE (login_key)
);

-- Memberships, as rows: derived from each user's attachments at every write of the user,
-- so a structure's members are read by an index range, never by opening every user.
CREATE TABLE ${s}.attachments (
  structure_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE,
  role text NOT NULL,
  valid_from text NOT NULL,
  scope jsonb NOT NULL,
  PRIMARY KEY (structure_id, user_id)
);
CREATE INDEX attachments_user_id ON ${s}.attachments (user_id);

CREATE TABLE ${s}.attachment_requests (
  data jsonb NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'id') STORED PRIMARY KEY,
  structure_id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'structureId') STORED NOT NULL,
  user_id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'userId') STORED NOT NULL,
  status text COLLATE "C" GENERATED ALWAYS AS (data ->> 'status') STORED NOT NULL,
  created_at text COLLATE "C" GENERATED ALWAYS AS (data ->> 'createdAt') STORED NOT NULL
);
-- One pending request per user and structure; a decided request frees the key.
CREATE UNIQUE INDEX attachment_requests_one_pending ON ${s}.attachment_requests (user_id, structure_id)
  WHERE status = 'pending';
-- A structure's pending requests, oldest first, by keyset.
CREATE INDEX attachment_requests_pending ON ${s}.attachment_requests (structure_id, created_at, id)
  WHERE status = 'pending';

-- History: append-only, numbered by one global sequence (never a per-structure counter).
-- The key leads with the structure: a structure's entries, newest first, are one index
-- range (and no index on the sequence alone tempts the planner to walk every structure's
-- history backwards); it is also the key a table distributed by structure needs.
CREATE TABLE ${s}.history (
  sequence bigint GENERATED ALWAYS AS IDENTITY,
  data jsonb NOT NULL,
  structure_id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'structureId') STORED NOT NULL,
  kind text COLLATE "C" GENERATED ALWAYS AS (data ->> 'kind') STORED NOT NULL,
  at text COLLATE "C" GENERATED ALWAYS AS (data ->> 'at') STORED NOT NULL,
  target_user_id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'targetUserId') STORED,
  CONSTRAINT history_pkey PRIMARY KEY (structure_id, sequence)
);
-- By kind (one range per kind asked for, merged newest first); by target user; by period.
CREATE INDEX history_structure_kind ON ${s}.history (structure_id, kind, sequence);
CREATE INDEX history_structure_target ON ${s}.history (structure_id, target_user_id, sequence)
  WHERE target_user_id IS NOT NULL;
CREATE INDEX history_structure_at ON ${s}.history (structure_id, at);

-- Events saved with their unit of work, until the host acknowledges them.
CREATE TABLE ${s}.outbox (
  sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event jsonb NOT NULL,
  event_id text COLLATE "C" GENERATED ALWAYS AS (event ->> 'id') STORED NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  lease_until text COLLATE "C",
  CONSTRAINT outbox_event_id_key UNIQUE (event_id)
);

-- What a command with an idempotency key gave back, with its numbered history and events.
CREATE TABLE ${s}.idempotency_records (
  data jsonb NOT NULL,
  owner text COLLATE "C" GENERATED ALWAYS AS (data ->> 'owner') STORED NOT NULL,
  key text COLLATE "C" GENERATED ALWAYS AS (data ->> 'key') STORED NOT NULL,
  at text COLLATE "C" GENERATED ALWAYS AS (data ->> 'at') STORED NOT NULL,
  CONSTRAINT idempotency_records_pkey PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_records_at ON ${s}.idempotency_records (at);
`;

/** The SELECT … FOR UPDATE / FOR SHARE of one aggregate table, for the lock loop. */
const lockBranch = (s: string, kind: string, table: string) => `
      WHEN '${kind}' THEN
        IF target.written THEN
          SELECT version INTO current_version FROM ${s}.${table} WHERE id = target.id FOR UPDATE;
        ELSE
          SELECT version INTO current_version FROM ${s}.${table} WHERE id = target.id FOR SHARE;
        END IF;`;

/**
 * `commit_unit(unit jsonb) → jsonb`: a whole unit of work in one statement, so one round
 * trip and one (implicit) transaction.
 *
 * 0. Claims the idempotency key first, if the unit has one: a twin unit that committed
 *    with the key wins over any version check (`IDEMPOTENCY_KEY_TAKEN`), and a twin
 *    still committing is waited for (the insert waits on the key's index entry).
 * 1. Locks every aggregate the unit writes (FOR UPDATE) or only read-checks (FOR SHARE),
 *    in one global order (kind, id), so two units never wait on each other in a cycle,
 *    and reads the versions under those locks: under READ COMMITTED a locking read waits
 *    for a concurrent writer and then sees its committed version, and the lock holds the
 *    row until this transaction ends, so no check can be fooled (no write skew).
 * 2. Checks, in the memory store's order: each read (a write of the same aggregate must
 *    name the same version, and the stored version must match), then each write (absent
 *    for `expectedVersion: null`, else at that version).
 * 3. Applies the writes in the order given (users also rewrite their attachment rows),
 *    appends history (one identity value per entry, in order) and events, and completes
 *    the idempotency record.
 *
 * All of it runs in one block: a refusal (raised as SQLSTATE HB409 with the error as its
 * message) or a unique violation (mapped by constraint name) rolls the whole block back,
 * the key claimed included, and comes back as the port's error.
 *
 * Returns `{ok: true, versions, sequences}` or `{ok: false, error}`.
 */
const commitUnit = (s: string) => `
CREATE OR REPLACE FUNCTION ${s}.commit_unit(unit jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $commit_unit$
DECLARE
  target record;
  item record;
  w jsonb;
  current_version integer;
  found_versions jsonb := '{}';
  creating boolean;
  next_version integer;
  versions jsonb := '[]';
  sequences jsonb := '[]';
  numbered jsonb := '[]';
  seq bigint;
  claim jsonb := nullif(unit -> 'idempotency', 'null'::jsonb);
  violated text;
  refusal text;
BEGIN
  BEGIN
    -- 0. The idempotency key first.
    IF claim IS NOT NULL THEN
      INSERT INTO ${s}.idempotency_records (data) VALUES (claim) ON CONFLICT (owner, key) DO NOTHING;
      IF NOT FOUND THEN
        RETURN jsonb_build_object('ok', false, 'error', jsonb_build_object('code', 'IDEMPOTENCY_KEY_TAKEN',
          'owner', claim -> 'owner', 'key', claim -> 'key'));
      END IF;
    END IF;

    -- 1. Lock and read the versions of every aggregate the unit names, in (kind, id) order.
    FOR target IN
      SELECT t.kind, t.id, bool_or(t.written) AS written
      FROM (
        SELECT x ->> 'kind' AS kind, x ->> 'id' AS id, true AS written FROM jsonb_array_elements(unit -> 'writes') x
        UNION ALL
        SELECT x ->> 'kind', x ->> 'id', false FROM jsonb_array_elements(unit -> 'reads') x
      ) t
      GROUP BY t.kind, t.id
      ORDER BY t.kind COLLATE "C", t.id COLLATE "C"
    LOOP
      current_version := NULL;
      CASE target.kind${lockBranch(s, "structure", "structures")}${lockBranch(s, "service", "services")}${lockBranch(s, "user", "users")}${lockBranch(s, "attachmentRequest", "attachment_requests")}
        ELSE
          RAISE EXCEPTION 'habilitations: unknown aggregate kind "%"', target.kind USING ERRCODE = '22023';
      END CASE;
      found_versions := found_versions || jsonb_build_object(target.kind || ':' || target.id, current_version);
    END LOOP;

    -- 2a. Read checks: one version per aggregate in the unit, and that version stored.
    FOR item IN SELECT x AS r, n FROM jsonb_array_elements(unit -> 'reads') WITH ORDINALITY AS a(x, n) ORDER BY n LOOP
      SELECT x INTO w FROM jsonb_array_elements(unit -> 'writes') x
        WHERE x ->> 'kind' = item.r ->> 'kind' AND x ->> 'id' = item.r ->> 'id' LIMIT 1;
      IF (w IS NOT NULL AND (w -> 'expectedVersion') IS DISTINCT FROM (item.r -> 'version'))
         OR (found_versions -> ((item.r ->> 'kind') || ':' || (item.r ->> 'id'))) IS DISTINCT FROM (item.r -> 'version') THEN
        RAISE EXCEPTION USING ERRCODE = 'HB409', MESSAGE =
          jsonb_build_object('code', 'VERSION_CONFLICT', 'kind', item.r -> 'kind', 'id', item.r -> 'id')::text;
      END IF;
    END LOOP;

    -- 2b. Write checks: absent to create, else at the version read.
    FOR item IN SELECT x AS w, n FROM jsonb_array_elements(unit -> 'writes') WITH ORDINALITY AS a(x, n) ORDER BY n LOOP
      IF (found_versions -> ((item.w ->> 'kind') || ':' || (item.w ->> 'id'))) IS DISTINCT FROM (item.w -> 'expectedVersion') THEN
        RAISE EXCEPTION USING ERRCODE = 'HB409', MESSAGE =
          jsonb_build_object('code', 'VERSION_CONFLICT', 'kind', item.w -> 'kind', 'id', item.w -> 'id')::text;
      END IF;
    END LOOP;

    -- 3. Apply.
    w := NULL;
    FOR item IN SELECT x AS w, n FROM jsonb_array_elements(unit -> 'writes') WITH ORDINALITY AS a(x, n) ORDER BY n LOOP
      w := item.w;
      creating := (w -> 'expectedVersion') = 'null'::jsonb;
      next_version := CASE WHEN creating THEN 1 ELSE (w ->> 'expectedVersion')::integer + 1 END;
      CASE w ->> 'kind'
        WHEN 'structure' THEN
          IF creating THEN
            INSERT INTO ${s}.structures (data, version) VALUES (w -> 'value', 1);
          ELSE
            UPDATE ${s}.structures SET data = w -> 'value', version = next_version WHERE id = w ->> 'id';
          END IF;
        WHEN 'service' THEN
          IF creating THEN
            INSERT INTO ${s}.services (data, version, code_key) VALUES (w -> 'value', 1, w ->> 'key');
          ELSE
            UPDATE ${s}.services SET data = w -> 'value', version = next_version, code_key = w ->> 'key'
              WHERE id = w ->> 'id';
          END IF;
        WHEN 'user' THEN
          IF creating THEN
            INSERT INTO ${s}.users (data, version, login_key) VALUES (w -> 'value', 1, w ->> 'key');
          ELSE
            UPDATE ${s}.users SET data = w -> 'value', version = next_version, login_key = w ->> 'key'
              WHERE id = w ->> 'id';
            DELETE FROM ${s}.attachments a
              WHERE a.user_id = w ->> 'id'
                AND NOT EXISTS (SELECT FROM jsonb_array_elements(w -> 'value' -> 'attachments') e
                                WHERE e ->> 'structureId' = a.structure_id);
          END IF;
          INSERT INTO ${s}.attachments AS a (structure_id, user_id, role, valid_from, scope)
            SELECT DISTINCT ON (e ->> 'structureId') e ->> 'structureId', w ->> 'id', e ->> 'role', e ->> 'validFrom', e -> 'scope'
            FROM jsonb_array_elements(w -> 'value' -> 'attachments') e
            ORDER BY e ->> 'structureId'
          ON CONFLICT (structure_id, user_id) DO UPDATE
            SET role = excluded.role, valid_from = excluded.valid_from, scope = excluded.scope
            WHERE (a.role, a.valid_from, a.scope) IS DISTINCT FROM (excluded.role, excluded.valid_from, excluded.scope);
        WHEN 'attachmentRequest' THEN
          IF creating THEN
            INSERT INTO ${s}.attachment_requests (data, version) VALUES (w -> 'value', 1);
          ELSE
            UPDATE ${s}.attachment_requests SET data = w -> 'value', version = next_version WHERE id = w ->> 'id';
          END IF;
      END CASE;
      versions := versions || to_jsonb(next_version);
    END LOOP;
    w := NULL;

    FOR item IN SELECT x AS e, n FROM jsonb_array_elements(unit -> 'history') WITH ORDINALITY AS a(x, n) ORDER BY n LOOP
      INSERT INTO ${s}.history (data) VALUES (item.e) RETURNING sequence INTO seq;
      sequences := sequences || to_jsonb(seq);
      numbered := numbered || jsonb_build_array(item.e || jsonb_build_object('sequence', seq));
    END LOOP;

    INSERT INTO ${s}.outbox (event)
      SELECT x FROM jsonb_array_elements(unit -> 'events') WITH ORDINALITY AS a(x, n) ORDER BY n
      ON CONFLICT (event_id) DO NOTHING;

    IF claim IS NOT NULL THEN
      UPDATE ${s}.idempotency_records
        SET data = claim || jsonb_build_object('history', numbered, 'events', unit -> 'events')
        WHERE owner = claim ->> 'owner' AND key = claim ->> 'key';
    END IF;
  EXCEPTION
    WHEN SQLSTATE 'HB409' THEN
      GET STACKED DIAGNOSTICS refusal = MESSAGE_TEXT;
      RETURN jsonb_build_object('ok', false, 'error', refusal::jsonb);
    WHEN unique_violation THEN
      GET STACKED DIAGNOSTICS violated = CONSTRAINT_NAME;
      IF violated = 'users_login_key' THEN
        RETURN jsonb_build_object('ok', false, 'error',
          jsonb_build_object('code', 'LOGIN_TAKEN', 'login', w -> 'value' -> 'login'));
      ELSIF violated = 'attachment_requests_one_pending' THEN
        RETURN jsonb_build_object('ok', false, 'error', jsonb_build_object('code', 'PENDING_REQUEST_EXISTS',
          'userId', w -> 'value' -> 'userId', 'structureId', w -> 'value' -> 'structureId'));
      ELSIF violated = 'services_code_key' THEN
        RETURN jsonb_build_object('ok', false, 'error', jsonb_build_object('code', 'SERVICE_CODE_TAKEN',
          'structureId', w -> 'value' -> 'structureId', 'serviceCode', w -> 'value' -> 'code'));
      ELSIF violated IN ('structures_pkey', 'services_pkey', 'users_pkey', 'attachment_requests_pkey') AND w IS NOT NULL THEN
        -- Created meanwhile by a concurrent unit.
        RETURN jsonb_build_object('ok', false, 'error',
          jsonb_build_object('code', 'VERSION_CONFLICT', 'kind', w -> 'kind', 'id', w -> 'id'));
      END IF;
      RAISE;
  END;

  RETURN jsonb_build_object('ok', true, 'versions', versions, 'sequences', sequences);
END;
$commit_unit$;
`;

/**
 * Migration 3, subscription requests to spaces (the guide's section 2):
 *
 * - `subscription_requests`, one row per request as for attachment requests (`data`,
 *   `version`, generated key columns), with a partial index of the pending ones by
 *   (structure, createdAt, id) for `listPendingSubscriptionRequests`, and an index by
 *   user for the user's own requests. No unique key: a user may have several pending
 *   subscription requests for one structure (the port states none).
 * - The rows written before it get the section's new fields, empty: `openSpaces: []` on
 *   structures and services, `grants: []` on users (only where missing, so running it
 *   again changes nothing). Versions are left alone: the data means the same as before
 *   (no space opened, no grant), so a unit that read a row before the migration still
 *   commits after it.
 */
const subscriptionRequests = (s: string) => `
CREATE TABLE ${s}.subscription_requests (
  data jsonb NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'id') STORED PRIMARY KEY,
  structure_id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'structureId') STORED NOT NULL,
  user_id text COLLATE "C" GENERATED ALWAYS AS (data ->> 'userId') STORED NOT NULL,
  status text COLLATE "C" GENERATED ALWAYS AS (data ->> 'status') STORED NOT NULL,
  created_at text COLLATE "C" GENERATED ALWAYS AS (data ->> 'createdAt') STORED NOT NULL
);
-- A structure's pending subscription requests, oldest first, by keyset.
CREATE INDEX subscription_requests_pending ON ${s}.subscription_requests (structure_id, created_at, id)
  WHERE status = 'pending';
-- A user's own subscription requests.
CREATE INDEX subscription_requests_user_id ON ${s}.subscription_requests (user_id);

-- The section's new fields on the rows already there, empty.
UPDATE ${s}.structures SET data = data || '{"openSpaces": []}'::jsonb WHERE NOT data ? 'openSpaces';
UPDATE ${s}.services SET data = data || '{"openSpaces": []}'::jsonb WHERE NOT data ? 'openSpaces';
UPDATE ${s}.users SET data = data || '{"grants": []}'::jsonb WHERE NOT data ? 'grants';
${commitUnitWithSubscriptions(s)}`;

/**
 * `commit_unit()` again (migration 2 is never edited), word for word, plus the
 * `subscriptionRequest` kind wherever the function names kinds: it is locked (in the
 * same (kind, id) order as the others), version-checked, inserted or updated like an
 * attachment request, and a key violation on a request created meanwhile is a
 * `VERSION_CONFLICT`. `test/postgres/migrate.test.ts` checks that nothing else differs.
 */
const commitUnitWithSubscriptions = (s: string) => `
CREATE OR REPLACE FUNCTION ${s}.commit_unit(unit jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $commit_unit$
DECLARE
  target record;
  item record;
  w jsonb;
  current_version integer;
  found_versions jsonb := '{}';
  creating boolean;
  next_version integer;
  versions jsonb := '[]';
  sequences jsonb := '[]';
  numbered jsonb := '[]';
  seq bigint;
  claim jsonb := nullif(unit -> 'idempotency', 'null'::jsonb);
  violated text;
  refusal text;
BEGIN
  BEGIN
    -- 0. The idempotency key first.
    IF claim IS NOT NULL THEN
      INSERT INTO ${s}.idempotency_records (data) VALUES (claim) ON CONFLICT (owner, key) DO NOTHING;
      IF NOT FOUND THEN
        RETURN jsonb_build_object('ok', false, 'error', jsonb_build_object('code', 'IDEMPOTENCY_KEY_TAKEN',
          'owner', claim -> 'owner', 'key', claim -> 'key'));
      END IF;
    END IF;

    -- 1. Lock and read the versions of every aggregate the unit names, in (kind, id) order.
    FOR target IN
      SELECT t.kind, t.id, bool_or(t.written) AS written
      FROM (
        SELECT x ->> 'kind' AS kind, x ->> 'id' AS id, true AS written FROM jsonb_array_elements(unit -> 'writes') x
        UNION ALL
        SELECT x ->> 'kind', x ->> 'id', false FROM jsonb_array_elements(unit -> 'reads') x
      ) t
      GROUP BY t.kind, t.id
      ORDER BY t.kind COLLATE "C", t.id COLLATE "C"
    LOOP
      current_version := NULL;
      CASE target.kind${lockBranch(s, "structure", "structures")}${lockBranch(s, "service", "services")}${lockBranch(s, "user", "users")}${lockBranch(s, "attachmentRequest", "attachment_requests")}${lockBranch(s, "subscriptionRequest", "subscription_requests")}
        ELSE
          RAISE EXCEPTION 'habilitations: unknown aggregate kind "%"', target.kind USING ERRCODE = '22023';
      END CASE;
      found_versions := found_versions || jsonb_build_object(target.kind || ':' || target.id, current_version);
    END LOOP;

    -- 2a. Read checks: one version per aggregate in the unit, and that version stored.
    FOR item IN SELECT x AS r, n FROM jsonb_array_elements(unit -> 'reads') WITH ORDINALITY AS a(x, n) ORDER BY n LOOP
      SELECT x INTO w FROM jsonb_array_elements(unit -> 'writes') x
        WHERE x ->> 'kind' = item.r ->> 'kind' AND x ->> 'id' = item.r ->> 'id' LIMIT 1;
      IF (w IS NOT NULL AND (w -> 'expectedVersion') IS DISTINCT FROM (item.r -> 'version'))
         OR (found_versions -> ((item.r ->> 'kind') || ':' || (item.r ->> 'id'))) IS DISTINCT FROM (item.r -> 'version') THEN
        RAISE EXCEPTION USING ERRCODE = 'HB409', MESSAGE =
          jsonb_build_object('code', 'VERSION_CONFLICT', 'kind', item.r -> 'kind', 'id', item.r -> 'id')::text;
      END IF;
    END LOOP;

    -- 2b. Write checks: absent to create, else at the version read.
    FOR item IN SELECT x AS w, n FROM jsonb_array_elements(unit -> 'writes') WITH ORDINALITY AS a(x, n) ORDER BY n LOOP
      IF (found_versions -> ((item.w ->> 'kind') || ':' || (item.w ->> 'id'))) IS DISTINCT FROM (item.w -> 'expectedVersion') THEN
        RAISE EXCEPTION USING ERRCODE = 'HB409', MESSAGE =
          jsonb_build_object('code', 'VERSION_CONFLICT', 'kind', item.w -> 'kind', 'id', item.w -> 'id')::text;
      END IF;
    END LOOP;

    -- 3. Apply.
    w := NULL;
    FOR item IN SELECT x AS w, n FROM jsonb_array_elements(unit -> 'writes') WITH ORDINALITY AS a(x, n) ORDER BY n LOOP
      w := item.w;
      creating := (w -> 'expectedVersion') = 'null'::jsonb;
      next_version := CASE WHEN creating THEN 1 ELSE (w ->> 'expectedVersion')::integer + 1 END;
      CASE w ->> 'kind'
        WHEN 'structure' THEN
          IF creating THEN
            INSERT INTO ${s}.structures (data, version) VALUES (w -> 'value', 1);
          ELSE
            UPDATE ${s}.structures SET data = w -> 'value', version = next_version WHERE id = w ->> 'id';
          END IF;
        WHEN 'service' THEN
          IF creating THEN
            INSERT INTO ${s}.services (data, version, code_key) VALUES (w -> 'value', 1, w ->> 'key');
          ELSE
            UPDATE ${s}.services SET data = w -> 'value', version = next_version, code_key = w ->> 'key'
              WHERE id = w ->> 'id';
          END IF;
        WHEN 'user' THEN
          IF creating THEN
            INSERT INTO ${s}.users (data, version, login_key) VALUES (w -> 'value', 1, w ->> 'key');
          ELSE
            UPDATE ${s}.users SET data = w -> 'value', version = next_version, login_key = w ->> 'key'
              WHERE id = w ->> 'id';
            DELETE FROM ${s}.attachments a
              WHERE a.user_id = w ->> 'id'
                AND NOT EXISTS (SELECT FROM jsonb_array_elements(w -> 'value' -> 'attachments') e
                                WHERE e ->> 'structureId' = a.structure_id);
          END IF;
          INSERT INTO ${s}.attachments AS a (structure_id, user_id, role, valid_from, scope)
            SELECT DISTINCT ON (e ->> 'structureId') e ->> 'structureId', w ->> 'id', e ->> 'role', e ->> 'validFrom', e -> 'scope'
            FROM jsonb_array_elements(w -> 'value' -> 'attachments') e
            ORDER BY e ->> 'structureId'
          ON CONFLICT (structure_id, user_id) DO UPDATE
            SET role = excluded.role, valid_from = excluded.valid_from, scope = excluded.scope
            WHERE (a.role, a.valid_from, a.scope) IS DISTINCT FROM (excluded.role, excluded.valid_from, excluded.scope);
        WHEN 'attachmentRequest' THEN
          IF creating THEN
            INSERT INTO ${s}.attachment_requests (data, version) VALUES (w -> 'value', 1);
          ELSE
            UPDATE ${s}.attachment_requests SET data = w -> 'value', version = next_version WHERE id = w ->> 'id';
          END IF;
        WHEN 'subscriptionRequest' THEN
          IF creating THEN
            INSERT INTO ${s}.subscription_requests (data, version) VALUES (w -> 'value', 1);
          ELSE
            UPDATE ${s}.subscription_requests SET data = w -> 'value', version = next_version WHERE id = w ->> 'id';
          END IF;
      END CASE;
      versions := versions || to_jsonb(next_version);
    END LOOP;
    w := NULL;

    FOR item IN SELECT x AS e, n FROM jsonb_array_elements(unit -> 'history') WITH ORDINALITY AS a(x, n) ORDER BY n LOOP
      INSERT INTO ${s}.history (data) VALUES (item.e) RETURNING sequence INTO seq;
      sequences := sequences || to_jsonb(seq);
      numbered := numbered || jsonb_build_array(item.e || jsonb_build_object('sequence', seq));
    END LOOP;

    INSERT INTO ${s}.outbox (event)
      SELECT x FROM jsonb_array_elements(unit -> 'events') WITH ORDINALITY AS a(x, n) ORDER BY n
      ON CONFLICT (event_id) DO NOTHING;

    IF claim IS NOT NULL THEN
      UPDATE ${s}.idempotency_records
        SET data = claim || jsonb_build_object('history', numbered, 'events', unit -> 'events')
        WHERE owner = claim ->> 'owner' AND key = claim ->> 'key';
    END IF;
  EXCEPTION
    WHEN SQLSTATE 'HB409' THEN
      GET STACKED DIAGNOSTICS refusal = MESSAGE_TEXT;
      RETURN jsonb_build_object('ok', false, 'error', refusal::jsonb);
    WHEN unique_violation THEN
      GET STACKED DIAGNOSTICS violated = CONSTRAINT_NAME;
      IF violated = 'users_login_key' THEN
        RETURN jsonb_build_object('ok', false, 'error',
          jsonb_build_object('code', 'LOGIN_TAKEN', 'login', w -> 'value' -> 'login'));
      ELSIF violated = 'attachment_requests_one_pending' THEN
        RETURN jsonb_build_object('ok', false, 'error', jsonb_build_object('code', 'PENDING_REQUEST_EXISTS',
          'userId', w -> 'value' -> 'userId', 'structureId', w -> 'value' -> 'structureId'));
      ELSIF violated = 'services_code_key' THEN
        RETURN jsonb_build_object('ok', false, 'error', jsonb_build_object('code', 'SERVICE_CODE_TAKEN',
          'structureId', w -> 'value' -> 'structureId', 'serviceCode', w -> 'value' -> 'code'));
      ELSIF violated IN ('structures_pkey', 'services_pkey', 'users_pkey', 'attachment_requests_pkey',
                        'subscription_requests_pkey') AND w IS NOT NULL THEN
        -- Created meanwhile by a concurrent unit.
        RETURN jsonb_build_object('ok', false, 'error',
          jsonb_build_object('code', 'VERSION_CONFLICT', 'kind', w -> 'kind', 'id', w -> 'id'));
      END IF;
      RAISE;
  END;

  RETURN jsonb_build_object('ok', true, 'versions', versions, 'sequences', sequences);
END;
$commit_unit$;
`;

/**
 * Migration 4, accounts (the guide's section 3 B and 5):
 *
 * - The rows written before it get the user's new fields, at what an account created
 *   before them means: `phone: null`, `postalAddress: null`, `settings:
 *   {"activityNotifications": "never"}`, `createdFor: null`, `activation: null` (an account
 *   created active, no token issued) and `accountEmailsAt: []`. One statement adds the
 *   missing ones only (the defaults on the left of `||`, so a field already there wins),
 *   on the rows that lack one, so running it again changes nothing. Versions are left
 *   alone, as in migration 3: a unit that read a row before the migration still commits
 *   after it.
 * - `commit_unit()` again, so the idempotency record keeps the unit's events without
 *   their secret: an `ActivationEmailRequested` is saved there without its `token`, which
 *   only the outbox row keeps (the port's `IdempotencyRecord.events`; the memory store's
 *   `withoutSecret`).
 */
const accounts = (s: string) => `
-- The section's new user fields on the rows already there, where missing.
UPDATE ${s}.users SET data = '{"phone": null, "postalAddress": null, "settings": {"activityNotifications": "never"}, "createdFor": null, "activation": null, "accountEmailsAt": []}'::jsonb || data WHERE NOT data ?& ARRAY['phone', 'postalAddress', 'settings', 'createdFor', 'activation', 'accountEmailsAt'];
${commitUnitWithoutSecrets(s)}`;

/** What migrations 2 and 3 save as the idempotency record's events: the unit's, whole. */
const RECORD_EVENTS = `'events', unit -> 'events'`;
/**
 * What migration 4 saves instead: the same events in the same order, an
 * `ActivationEmailRequested` without its `token` key (as `withoutSecret` does), `[]` for none.
 */
const RECORD_EVENTS_WITHOUT_SECRET =
  `'events', (SELECT coalesce(jsonb_agg(CASE WHEN x ->> 'type' = 'ActivationEmailRequested' THEN x - 'token' ELSE x END ORDER BY n), '[]'::jsonb)` +
  ` FROM jsonb_array_elements(unit -> 'events') WITH ORDINALITY AS a(x, n))`;

/** `text` with `from` replaced by `to`, which must occur exactly once in the `commit_unit()` migration `by` derives its own from. */
function replacedOnce(text: string, from: string, to: string, by = 4): string {
  const parts = text.split(from);
  if (parts.length !== 2)
    throw new Error(`habilitations: migration ${by} expects ${JSON.stringify(from)} once in migration ${by - 1}'s commit_unit(), found ${parts.length - 1}`);
  return parts.join(to);
}

/**
 * `commit_unit()` a third time: migration 3's word for word (migration 3 is never
 * edited), derived from its text with one checked replacement, the idempotency record's
 * events, so that nothing else can differ. `test/postgres/migrate.test.ts` checks it.
 */
const commitUnitWithoutSecrets = (s: string) => replacedOnce(commitUnitWithSubscriptions(s), RECORD_EVENTS, RECORD_EVENTS_WITHOUT_SECRET);
// Checked when the module loads: an edit of the function's text that loses (or repeats)
// the expression fails at once, not at the first migration of a database.
commitUnitWithoutSecrets('"habilitations"');

/**
 * Migration 5, the user search (guide §5):
 *
 * - On `users`, the values search compares, which the database cannot compute itself (the
 *   normalisation is the core's `normalizeForSearch`, in TypeScript: NFKD, marks removed,
 *   ligatures expanded, apostrophes and hyphens folded): `search_key` (the core's
 *   `searchKeyOf`, its NUL separators escaped, see the store's `storedSearchKey`),
 *   `search_last`, `search_first` and `search_login` (the normalised names and login). The
 *   store computes them for every user it writes, as it computes `login_key`, and sends
 *   them in the write's JSON; `commit_unit()` stores them. And `created_for`, generated
 *   from `data`. They are `COLLATE "C"`: PostgreSQL then orders them by code point, and
 *   JavaScript (`searchReference`) by UTF-16 code unit; the two differ only between
 *   characters above U+FFFF and U+E000–U+FFFF, which names practically never hold.
 * - `attachments.search_key`: the user's key copied on each of its attachment rows (the
 *   rows are rewritten with the user), so that `attachments (structure_id, search_key)`
 *   gives a structure's members in search order, a page at a time.
 * - Indexes: a structure's members in search order (`attachments_search`), the users
 *   created for a structure in search order (`users_created_for_search`), the lookup by
 *   names (`users_search_names`), and the users still lacking their search values
 *   (`users_search_missing`, partial: empty once they are filled).
 * - The values of the rows already there are filled by `migrate()` in TypeScript, after
 *   this SQL and in the same transaction (`fillSearchColumns` in migrate.ts), and again
 *   at every later `migrate()` for rows written without them (by a process of the
 *   release before); versions are left alone.
 * - `commit_unit()` again, migration 4's word for word but where it writes a user and
 *   its attachment rows (three checked replacements).
 */
const userSearch = (s: string) => `
ALTER TABLE ${s}.users
  ADD COLUMN search_key text COLLATE "C",
  ADD COLUMN search_last text COLLATE "C",
  ADD COLUMN search_first text COLLATE "C",
  ADD COLUMN search_login text COLLATE "C",
  ADD COLUMN created_for text COLLATE "C" GENERATED ALWAYS AS (data ->> 'createdFor') STORED;
ALTER TABLE ${s}.attachments ADD COLUMN search_key text COLLATE "C";
-- A structure's members in search order: one index range per structure searched.
CREATE INDEX attachments_search ON ${s}.attachments (structure_id, search_key) INCLUDE (user_id);
-- The users created for a structure (attached to it or not), in search order.
CREATE INDEX users_created_for_search ON ${s}.users (created_for, search_key) WHERE created_for IS NOT NULL;
-- The lookup by names, in search order.
CREATE INDEX users_search_names ON ${s}.users (search_last, search_first, search_key);
-- The users whose search values are still to be filled (by migrate()).
CREATE INDEX users_search_missing ON ${s}.users (id) WHERE search_key IS NULL;
${commitUnitWithSearch(s)}`;

/** Where migration 4 inserts a user, and where migration 5 does. */
const USER_INSERT = (s: string) => `INSERT INTO ${s}.users (data, version, login_key) VALUES (w -> 'value', 1, w ->> 'key');`;
const USER_INSERT_WITH_SEARCH = (s: string) =>
  `INSERT INTO ${s}.users (data, version, login_key, search_key, search_last, search_first, search_login)
              VALUES (w -> 'value', 1, w ->> 'key', w ->> 'searchKey', w ->> 'searchLast', w ->> 'searchFirst', w ->> 'searchLogin');`;
/** Where migration 4 updates a user, and where migration 5 does. */
const USER_UPDATE = (s: string) => `UPDATE ${s}.users SET data = w -> 'value', version = next_version, login_key = w ->> 'key'`;
const USER_UPDATE_WITH_SEARCH = (s: string) =>
  `UPDATE ${s}.users SET data = w -> 'value', version = next_version, login_key = w ->> 'key',
              search_key = w ->> 'searchKey', search_last = w ->> 'searchLast', search_first = w ->> 'searchFirst',
              search_login = w ->> 'searchLogin'`;
/** Where migration 4 writes a user's attachment rows, and where migration 5 does, with the user's search key. */
const ATTACHMENT_ROWS = (s: string) => `INSERT INTO ${s}.attachments AS a (structure_id, user_id, role, valid_from, scope)
            SELECT DISTINCT ON (e ->> 'structureId') e ->> 'structureId', w ->> 'id', e ->> 'role', e ->> 'validFrom', e -> 'scope'
            FROM jsonb_array_elements(w -> 'value' -> 'attachments') e
            ORDER BY e ->> 'structureId'
          ON CONFLICT (structure_id, user_id) DO UPDATE
            SET role = excluded.role, valid_from = excluded.valid_from, scope = excluded.scope
            WHERE (a.role, a.valid_from, a.scope) IS DISTINCT FROM (excluded.role, excluded.valid_from, excluded.scope);`;
const ATTACHMENT_ROWS_WITH_SEARCH = (s: string) => `INSERT INTO ${s}.attachments AS a (structure_id, user_id, role, valid_from, scope, search_key)
            SELECT DISTINCT ON (e ->> 'structureId') e ->> 'structureId', w ->> 'id', e ->> 'role', e ->> 'validFrom', e -> 'scope',
              w ->> 'searchKey'
            FROM jsonb_array_elements(w -> 'value' -> 'attachments') e
            ORDER BY e ->> 'structureId'
          ON CONFLICT (structure_id, user_id) DO UPDATE
            SET role = excluded.role, valid_from = excluded.valid_from, scope = excluded.scope, search_key = excluded.search_key
            WHERE (a.role, a.valid_from, a.scope, a.search_key)
              IS DISTINCT FROM (excluded.role, excluded.valid_from, excluded.scope, excluded.search_key);`;

/**
 * `commit_unit()` a fourth time: migration 4's word for word (derived from its text, so
 * nothing else can differ; `test/postgres/migrate.test.ts` checks it), but a user's
 * insert and update also store the write's `searchKey`, `searchLast`, `searchFirst` and
 * `searchLogin`, and its attachment rows get its `searchKey` (an unchanged row is still
 * left alone). A write without them (a process of the release before) stores NULLs,
 * which `migrate()` fills.
 */
const commitUnitWithSearch = (s: string) =>
  replacedOnce(
    replacedOnce(
      replacedOnce(commitUnitWithoutSecrets(s), USER_INSERT(s), USER_INSERT_WITH_SEARCH(s), 5),
      USER_UPDATE(s),
      USER_UPDATE_WITH_SEARCH(s),
      5,
    ),
    ATTACHMENT_ROWS(s),
    ATTACHMENT_ROWS_WITH_SEARCH(s),
    5,
  );
commitUnitWithSearch('"habilitations"');

/**
 * Migration 6, the transfer of the primary role (guide §6): the rows written before it
 * get the user's new field, `deactivatedAt: null` (no release before it deactivates an
 * account, so null is what every existing row means). As migration 4: one statement adds
 * it where missing only (the default on the left of `||`, so a value already there wins),
 * so running it again changes nothing, and versions are left alone, so a unit that read a
 * row before the migration still commits after it. Nothing else changes: the transfer
 * writes structures and users, which `commit_unit()` already saves in one unit of work,
 * and its history kinds are plain text in `history.kind`.
 */
const deactivation = (s: string) => `
-- The section's new user field on the rows already there, where missing.
UPDATE ${s}.users SET data = '{"deactivatedAt": null}'::jsonb || data WHERE NOT data ? 'deactivatedAt';
`;

/**
 * What migration 7 saves as the idempotency record's events: migration 4's, with the
 * token of a `ContactEmailConfirmationRequested` removed too (as `withoutSecret` does).
 */
const RECORD_EVENTS_WITHOUT_SECRETS =
  `'events', (SELECT coalesce(jsonb_agg(CASE WHEN x ->> 'type' IN ('ActivationEmailRequested', 'ContactEmailConfirmationRequested') THEN x - 'token' ELSE x END ORDER BY n), '[]'::jsonb)` +
  ` FROM jsonb_array_elements(unit -> 'events') WITH ORDINALITY AS a(x, n))`;

/**
 * `commit_unit()` a fifth time: migration 5's word for word (never edited), derived from
 * its text with one checked replacement, the idempotency record's events.
 */
const commitUnitWithoutContactSecret = (s: string) =>
  replacedOnce(commitUnitWithSearch(s), RECORD_EVENTS_WITHOUT_SECRET, RECORD_EVENTS_WITHOUT_SECRETS, 7);
commitUnitWithoutContactSecret('"habilitations"');

/**
 * The initiator migration 7 gives what a row counted before it: the structure the
 * account was created for, else the public side (what the e-mails of an account nobody
 * created for a structure came from).
 */
const INITIATOR_BEFORE = `CASE WHEN data ->> 'createdFor' IS NULL THEN 'public' ELSE 'structure:' || (data ->> 'createdFor') END`;

/**
 * Migration 7, a person's record is theirs (issue 17):
 *
 * - The users' JSON takes the new account shape: `accountEmailsAt` (instants) becomes
 *   `accountEmails` (each instant with who asked for it: the structure the account was
 *   created for, else the public side); `activation` (one token) becomes its live tokens
 *   (that one, from the same initiator) and `usedAt`; `contactEmailChange: null` (no
 *   address was waiting). One statement, on the rows still in the old shape only
 *   (`data ? 'accountEmailsAt'`), so running it again changes nothing; versions are left
 *   alone, as in migrations 3, 4 and 6.
 * - `commit_unit()` again, saving the idempotency record's events without the token of a
 *   `ContactEmailConfirmationRequested` either (the outbox row alone keeps it).
 */
const personalRecords = (s: string) => `
-- The users written before it, reshaped where still in the old shape.
UPDATE ${s}.users SET data = (data - 'accountEmailsAt') || jsonb_build_object(
  'accountEmails', coalesce((SELECT jsonb_agg(jsonb_build_object('at', e, 'by', ${INITIATOR_BEFORE}) ORDER BY n)
                             FROM jsonb_array_elements(data -> 'accountEmailsAt') WITH ORDINALITY AS a(e, n)), '[]'::jsonb),
  'activation', CASE WHEN jsonb_typeof(data -> 'activation') = 'object'
                     THEN jsonb_build_object(
                       'tokens', jsonb_build_array(jsonb_build_object(
                         'tokenHash', data #> '{activation,tokenHash}',
                         'issuedAt', data #> '{activation,issuedAt}',
                         'expiresAt', data #> '{activation,expiresAt}',
                         'by', ${INITIATOR_BEFORE})),
                       'usedAt', data #> '{activation,usedAt}')
                     ELSE 'null'::jsonb END,
  'contactEmailChange', 'null'::jsonb)
WHERE data ? 'accountEmailsAt';
${commitUnitWithoutContactSecret(s)}`;

/** The `SELECT version … FOR UPDATE` (written) or `FOR SHARE` (read only) of one kind, for `lock_and_check()`. */
const lockOne = (s: string, kind: string, table: string) => `
      WHEN '${kind}' THEN
        IF written[i] THEN
          SELECT version INTO v FROM ${s}.${table} WHERE id = ids[i] FOR UPDATE;
        ELSE
          SELECT version INTO v FROM ${s}.${table} WHERE id = ids[i] FOR SHARE;
        END IF;`;

/**
 * Migration 8, the commit at the round-trip limit (issue 20). `commit_unit()` stays for
 * the units the store does not specialise (migration 7 may replace it; this one does not
 * touch it); this adds what the store's specialised commit statements call first:
 *
 * `lock_and_check(kinds, ids, written, check_at, check_expected) → true`: locks every
 * aggregate of a unit, in the order given (the store sorts them by kind, then id, by code
 * point, as `commit_unit()` orders them: two units never wait on each other in a cycle),
 * `FOR UPDATE` where `written[i]`, else `FOR SHARE`, reading each version under its lock;
 * then checks, in the order given (the unit's reads, then its writes, as `commit_unit()`),
 * that the version found at `check_at[k]` (1-based) is `check_expected[k]` (NULL: absent,
 * to create). The first mismatch raises SQLSTATE HB409 with the port's error as its
 * message (`{"code":"VERSION_CONFLICT","kind":…,"id":…}`), which aborts the calling
 * statement and everything it wrote: no savepoint, no subtransaction. An unknown kind
 * raises 22023, as `commit_unit()` does.
 */
const lockAndCheck = (s: string) => `
CREATE FUNCTION ${s}.lock_and_check(kinds text[], ids text[], written boolean[], check_at integer[], check_expected integer[])
RETURNS boolean LANGUAGE plpgsql AS $lock_and_check$
DECLARE
  v integer;
  found integer[] := '{}';
  k integer;
BEGIN
  FOR i IN 1 .. coalesce(array_length(kinds, 1), 0) LOOP
    v := NULL;
    CASE kinds[i]${lockOne(s, "structure", "structures")}${lockOne(s, "service", "services")}${lockOne(s, "user", "users")}${lockOne(s, "attachmentRequest", "attachment_requests")}${lockOne(s, "subscriptionRequest", "subscription_requests")}
      ELSE
        RAISE EXCEPTION 'habilitations: unknown aggregate kind "%"', kinds[i] USING ERRCODE = '22023';
    END CASE;
    found := array_append(found, v);
  END LOOP;
  FOR c IN 1 .. coalesce(array_length(check_at, 1), 0) LOOP
    k := check_at[c];
    IF found[k] IS DISTINCT FROM check_expected[c] THEN
      RAISE EXCEPTION USING ERRCODE = 'HB409', MESSAGE =
        jsonb_build_object('code', 'VERSION_CONFLICT', 'kind', kinds[k], 'id', ids[k])::text;
    END IF;
  END LOOP;
  RETURN true;
END;
$lock_and_check$;
`;

/**
 * The earliest `validUntil` of a user's rights (attachments and space grants) whose sweep
 * notice is `notice` (`null`: none yet), from the user's JSON; NULL when there is none. An
 * IMMUTABLE function of `data` alone, so that a stored generated column can call it: the
 * column can never disagree with the row, whatever writes it (a process of the release
 * before included: a right without the fields has no end).
 */
const earliestEnd = (s: string, name: string, notice: string) => `
CREATE FUNCTION ${s}.${name}(data jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $${name}$
  SELECT min((r ->> 'validUntil') COLLATE "C")
  FROM (SELECT jsonb_array_elements(CASE WHEN jsonb_typeof(data -> 'attachments') = 'array' THEN data -> 'attachments' ELSE '[]' END)
        UNION ALL
        SELECT jsonb_array_elements(CASE WHEN jsonb_typeof(data -> 'grants') = 'array' THEN data -> 'grants' ELSE '[]' END)) AS x(r)
  WHERE jsonb_typeof(r -> 'validUntil') = 'string' AND ${notice}
$${name}$;`;

/** The rights of the release before get an end and a notice, both `null`, where they lack them (the values on the left of `||`: a field already there wins). */
const withEndFields = (column: string) =>
  `(SELECT coalesce(jsonb_agg('{"validUntil": null, "endNotice": null}'::jsonb || e ORDER BY n), '[]'::jsonb)
     FROM jsonb_array_elements(data -> '${column}') WITH ORDINALITY AS x(e, n))`;
const lacksEndFields = (column: string) =>
  `EXISTS (SELECT FROM jsonb_array_elements(data -> '${column}') e WHERE NOT e ?& ARRAY['validUntil', 'endNotice'])`;

/**
 * Migration 9, rights with an end (issue 21; another branch may number its own migration 9
 * too: this one is about the ends of rights, and is renumbered at merge if need be):
 *
 * - Every attachment and space grant of the users written before it gets `validUntil:
 *   null` (no end) and `endNotice: null` (nothing recorded by the sweep), where missing:
 *   one statement, on the rows that lack one, so running it again changes nothing;
 *   versions are left alone (the data means what it meant: no end), as in migrations 3,
 *   4, 6 and 7.
 * - On `users`, two columns *generated* from `data` (they can never disagree with it,
 *   whatever writes the row): `end_to_warn`, the earliest end of a right not noticed yet,
 *   and `end_to_expire`, the earliest end of a right warned about (functions
 *   `end_to_warn(data)` and `end_to_expire(data)`); NULL when there is none. Adding them
 *   rewrites the table once (a large one: run it in a quiet hour).
 * - Partial indexes on each (with the id), so `findDueExpiries` reads the users due from
 *   the front of two index ranges, never the whole table; users without an end to notice
 *   are not in them at all.
 */
const rightsWithAnEnd = (s: string) => `
UPDATE ${s}.users SET data = data || jsonb_build_object('attachments', ${withEndFields("attachments")}, 'grants', ${withEndFields("grants")})
WHERE ${lacksEndFields("attachments")} OR ${lacksEndFields("grants")};
${earliestEnd(s, "end_to_warn", `(r -> 'endNotice' IS NULL OR r -> 'endNotice' = 'null'::jsonb)`)}
${earliestEnd(s, "end_to_expire", `r ->> 'endNotice' = 'warned'`)}
ALTER TABLE ${s}.users
  ADD COLUMN end_to_warn text COLLATE "C" GENERATED ALWAYS AS (${s}.end_to_warn(data)) STORED,
  ADD COLUMN end_to_expire text COLLATE "C" GENERATED ALWAYS AS (${s}.end_to_expire(data)) STORED;
-- The users due for the expiry sweep, by date then id: one index range each.
CREATE INDEX users_end_to_warn ON ${s}.users (end_to_warn, id) WHERE end_to_warn IS NOT NULL;
CREATE INDEX users_end_to_expire ON ${s}.users (end_to_expire, id) WHERE end_to_expire IS NOT NULL;
`;

/** Every migration, in order. The last one's number is the schema version this library knows. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: "tables, unique keys and indexes", sql: tables },
  { version: 2, description: "commit_unit(): a unit of work in one statement", sql: commitUnit },
  { version: 3, description: "subscription requests; openSpaces and grants on existing rows; commit_unit() with subscription requests", sql: subscriptionRequests },
  { version: 4, description: "accounts: the new user fields on existing rows; commit_unit() keeping idempotency events without their token", sql: accounts },
  { version: 5, description: "user search: normalised search columns and their indexes; commit_unit() storing them", sql: userSearch },
  { version: 6, description: "transfer of the primary role: deactivatedAt on existing users", sql: deactivation },
  { version: 7, description: "a person's record is theirs: account e-mails and activation tokens by initiator, contactEmailChange; commit_unit() keeping idempotency events without any token", sql: personalRecords },
  { version: 8, description: "lock_and_check(): the versions check of the store's specialised commit statements", sql: lockAndCheck },
  { version: 9, description: "rights with an end: validUntil and endNotice on existing attachments and grants; users' end_to_warn and end_to_expire columns and their indexes for the expiry sweep", sql: rightsWithAnEnd },
];

/** The schema version this build of the library writes and reads. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
