-- runsheet shared store, schema version 1: runs, their templates, their events (the hash chain,
-- checked by the database itself), presence, registered display names; row-level security per team.
--
-- Roles (docs/teams.md): runsheet_team carries the privileges (SELECT + INSERT on the record);
-- every team is a NOLOGIN role that is a member of it; every person is a LOGIN role that is a
-- member of their team(s). The tables belong to whoever applies this (ideally a separate owner role).

-- A run, and the team role whose members may read and extend it.
CREATE TABLE runsheet.runs (
    run_id     text NOT NULL,
    team       name NOT NULL,
    created_by name NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT runs_pkey PRIMARY KEY (run_id),
    CONSTRAINT runs_id_format CHECK (run_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$')
);

-- Template copies: the one a run started from and each one a re-base adopted.
CREATE TABLE runsheet.templates (
    run_id   text NOT NULL REFERENCES runsheet.runs (run_id),
    sha256   text NOT NULL,
    body     bytea NOT NULL,
    added_by name NOT NULL,
    added_at timestamptz NOT NULL,
    CONSTRAINT templates_pkey PRIMARY KEY (run_id, sha256),
    CONSTRAINT templates_sha256 CHECK (encode(sha256(body), 'hex') = sha256)
);

-- The record. `line` is the sealed journal line exactly as the file journal writes it (without the
-- newline), so an export is byte-identical and `runsheet verify` checks it offline.
CREATE TABLE runsheet.events (
    run_id       text NOT NULL REFERENCES runsheet.runs (run_id),
    seq          bigint NOT NULL,
    prev_seq     bigint GENERATED ALWAYS AS (CASE WHEN seq > 1 THEN seq - 1 END) STORED,
    prev         text NOT NULL,
    hash         text NOT NULL,
    line         text NOT NULL,
    kind         text GENERATED ALWAYS AS ((line::jsonb) #>> '{change,type}') STORED,
    intent_id    uuid NOT NULL,
    imported     boolean NOT NULL DEFAULT false,
    db_role      name NOT NULL,
    committed_at timestamptz NOT NULL,
    client_addr  inet,
    -- one event per position: no forks
    CONSTRAINT events_pkey PRIMARY KEY (run_id, seq),
    CONSTRAINT events_link_target UNIQUE (run_id, seq, hash),
    -- a resend after a lost acknowledgement finds its first try
    CONSTRAINT events_intent UNIQUE (run_id, intent_id),
    -- every link: the previous event exists and `prev` is its hash (no gaps, no wrong prev)
    CONSTRAINT events_chain FOREIGN KEY (run_id, prev_seq, prev)
        REFERENCES runsheet.events (run_id, seq, hash),
    CONSTRAINT events_seq_positive CHECK (seq >= 1),
    CONSTRAINT events_genesis CHECK (seq > 1 OR prev = '0000000000000000000000000000000000000000000000000000000000000000'),
    CONSTRAINT events_hash_format CHECK (hash ~ '^[0-9a-f]{64}$' AND prev ~ '^[0-9a-f]{64}$'),
    CONSTRAINT events_one_line CHECK (strpos(line, chr(10)) = 0),
    -- the line ends with its own hash field …
    CONSTRAINT events_hash_field CHECK (right(line, 75) = ',"hash":"' || hash || '"}'),
    -- … which is the SHA-256 of the line without it
    CONSTRAINT events_hash CHECK (encode(sha256(convert_to(left(line, -75) || '}', 'UTF8')), 'hex') = hash),
    -- the line's seq and prev are the columns'
    CONSTRAINT events_columns CHECK (
        jsonb_typeof(line::jsonb) = 'object'
        AND (line::jsonb) ->> 'seq' IS NOT DISTINCT FROM seq::text
        AND (line::jsonb) ->> 'prev' IS NOT DISTINCT FROM prev),
    -- seq 1 is the start event, of this run, and nothing else is
    CONSTRAINT events_start CHECK ((seq = 1) = (kind IS NOT DISTINCT FROM 'start')),
    CONSTRAINT events_start_run_id CHECK (
        seq > 1 OR (line::jsonb) #>> '{change,run_id}' IS NOT DISTINCT FROM run_id),
    -- the role sealed in the line is the role that logged in (imported runs keep their history).
    -- NB: a CHECK passes on NULL, so every comparison with a JSON field is IS NOT DISTINCT FROM.
    CONSTRAINT events_db_role CHECK (
        (line::jsonb) #>> '{by,db_role}' IS NOT DISTINCT FROM db_role::text OR imported)
);

CREATE INDEX events_closing ON runsheet.events (run_id) WHERE kind IN ('finish', 'abort');

-- Who has a run open right now: one row per open session, refreshed by heartbeats.
CREATE TABLE runsheet.presence (
    session_id   uuid NOT NULL,
    run_id       text NOT NULL REFERENCES runsheet.runs (run_id),
    db_role      name NOT NULL,
    display_name text NOT NULL,
    os_user      text NOT NULL,
    host         text NOT NULL,
    since        timestamptz NOT NULL,
    seen_at      timestamptz NOT NULL,
    CONSTRAINT presence_pkey PRIMARY KEY (session_id)
);
CREATE INDEX presence_run ON runsheet.presence (run_id, seen_at);

-- Display names the DBA vouches for. A role listed here can record events (and sign) only under
-- this name; unlisted roles' names stay claims, as in the file store.
CREATE TABLE runsheet.people (
    db_role      name NOT NULL,
    display_name text NOT NULL,
    CONSTRAINT people_pkey PRIMARY KEY (db_role)
);

-- Whether the current role is a member of `team` (false, not an error, for a dropped role).
CREATE FUNCTION runsheet.is_member(team name) RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_catalog.pg_roles r
        WHERE r.rolname = team AND pg_catalog.pg_has_role(r.oid, 'MEMBER'))
$$;

-- Stamps what the client cannot choose: who logged in, when, from where.
CREATE FUNCTION runsheet.stamp_run() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.created_by := session_user;
    NEW.created_at := clock_timestamp();
    RETURN NEW;
END
$$;

CREATE FUNCTION runsheet.stamp_template() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.added_by := session_user;
    NEW.added_at := clock_timestamp();
    RETURN NEW;
END
$$;

CREATE FUNCTION runsheet.stamp_event() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    change jsonb := (NEW.line::jsonb) -> 'change';
    sha text;
BEGIN
    NEW.db_role := session_user;
    NEW.committed_at := clock_timestamp();
    NEW.client_addr := inet_client_addr();
    -- An event is durable before it is acknowledged, whatever the session asked for.
    IF current_setting('synchronous_commit') IN ('off', 'local', 'remote_write') THEN
        PERFORM set_config('synchronous_commit', 'on', true);
    END IF;
    IF NEW.imported AND NOT EXISTS (
        SELECT 1 FROM runsheet.runs r
        WHERE r.run_id = NEW.run_id AND r.xmin = pg_current_xact_id()::xid) THEN
        RAISE EXCEPTION 'run %: imported events can only be added in the transaction that creates the run', NEW.run_id
            USING ERRCODE = 'check_violation';
    END IF;
    sha := CASE change ->> 'type'
        WHEN 'start' THEN change ->> 'template_sha256'
        WHEN 'rebase' THEN change ->> 'to_sha256'
    END;
    IF sha IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM runsheet.templates t WHERE t.run_id = NEW.run_id AND t.sha256 = sha) THEN
        RAISE EXCEPTION 'run %, seq %: the template % is not stored', NEW.run_id, NEW.seq, sha
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION runsheet.stamp_presence() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.db_role := session_user;
    NEW.seen_at := clock_timestamp();
    IF TG_OP = 'INSERT' THEN
        NEW.since := NEW.seen_at;
    ELSE
        NEW.since := OLD.since;
        NEW.run_id := OLD.run_id;
    END IF;
    RETURN NEW;
END
$$;

-- The record is append-only, for every role (an owner must drop this trigger to change history).
CREATE FUNCTION runsheet.refuse_change() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'runsheet.% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'the record of a run is never changed; append a new event instead';
END
$$;

-- Wakes listeners. The payload is empty: LISTEN has no privilege check, so anything in it would
-- reach every team. Listeners re-query what they may see.
CREATE FUNCTION runsheet.notify_event() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('runsheet', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER runs_stamp BEFORE INSERT ON runsheet.runs
    FOR EACH ROW EXECUTE FUNCTION runsheet.stamp_run();
CREATE TRIGGER templates_stamp BEFORE INSERT ON runsheet.templates
    FOR EACH ROW EXECUTE FUNCTION runsheet.stamp_template();
CREATE TRIGGER events_stamp BEFORE INSERT ON runsheet.events
    FOR EACH ROW EXECUTE FUNCTION runsheet.stamp_event();
CREATE TRIGGER presence_stamp BEFORE INSERT OR UPDATE ON runsheet.presence
    FOR EACH ROW EXECUTE FUNCTION runsheet.stamp_presence();
CREATE TRIGGER events_notify AFTER INSERT ON runsheet.events
    FOR EACH STATEMENT EXECUTE FUNCTION runsheet.notify_event();

CREATE TRIGGER runs_append_only BEFORE UPDATE OR DELETE ON runsheet.runs
    FOR EACH ROW EXECUTE FUNCTION runsheet.refuse_change();
CREATE TRIGGER runs_no_truncate BEFORE TRUNCATE ON runsheet.runs
    FOR EACH STATEMENT EXECUTE FUNCTION runsheet.refuse_change();
CREATE TRIGGER templates_append_only BEFORE UPDATE OR DELETE ON runsheet.templates
    FOR EACH ROW EXECUTE FUNCTION runsheet.refuse_change();
CREATE TRIGGER templates_no_truncate BEFORE TRUNCATE ON runsheet.templates
    FOR EACH STATEMENT EXECUTE FUNCTION runsheet.refuse_change();
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON runsheet.events
    FOR EACH ROW EXECUTE FUNCTION runsheet.refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON runsheet.events
    FOR EACH STATEMENT EXECUTE FUNCTION runsheet.refuse_change();

-- Row-level security: a team's members see and extend their team's runs, nothing else.
ALTER TABLE runsheet.runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE runsheet.templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE runsheet.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE runsheet.presence ENABLE ROW LEVEL SECURITY;

CREATE POLICY runs_read ON runsheet.runs FOR SELECT
    USING (runsheet.is_member(team));
CREATE POLICY runs_create ON runsheet.runs FOR INSERT
    WITH CHECK (runsheet.is_member(team) AND created_by = session_user);

CREATE POLICY templates_read ON runsheet.templates FOR SELECT
    USING (EXISTS (SELECT 1 FROM runsheet.runs r WHERE r.run_id = templates.run_id));
CREATE POLICY templates_add ON runsheet.templates FOR INSERT
    WITH CHECK (added_by = session_user
        AND EXISTS (SELECT 1 FROM runsheet.runs r WHERE r.run_id = templates.run_id));

CREATE POLICY events_read ON runsheet.events FOR SELECT
    USING (EXISTS (SELECT 1 FROM runsheet.runs r WHERE r.run_id = events.run_id));
-- A role records events only as itself, only on its team's runs, and — when the DBA registered
-- its display name — only under that name (a sign-off's signer too).
CREATE POLICY events_append ON runsheet.events FOR INSERT
    WITH CHECK (db_role = session_user
        AND EXISTS (SELECT 1 FROM runsheet.runs r WHERE r.run_id = events.run_id)
        AND (imported
            OR NOT EXISTS (SELECT 1 FROM runsheet.people p WHERE p.db_role = session_user)
            OR EXISTS (SELECT 1 FROM runsheet.people p
                WHERE p.db_role = session_user
                  AND p.display_name = (line::jsonb) #>> '{by,name}'
                  AND ((line::jsonb) #>> '{change,type}' IS DISTINCT FROM 'sign'
                       OR p.display_name = (line::jsonb) #>> '{change,signer}'))));

CREATE POLICY presence_read ON runsheet.presence FOR SELECT
    USING (EXISTS (SELECT 1 FROM runsheet.runs r WHERE r.run_id = presence.run_id));
CREATE POLICY presence_join ON runsheet.presence FOR INSERT
    WITH CHECK (db_role = session_user
        AND EXISTS (SELECT 1 FROM runsheet.runs r WHERE r.run_id = presence.run_id));
CREATE POLICY presence_beat ON runsheet.presence FOR UPDATE
    USING (db_role = session_user) WITH CHECK (db_role = session_user);
-- Leave, or clear a teammate's session that stopped beating an hour ago (a crashed client).
CREATE POLICY presence_leave ON runsheet.presence FOR DELETE
    USING (db_role = session_user
        OR (seen_at < clock_timestamp() - interval '1 hour'
            AND EXISTS (SELECT 1 FROM runsheet.runs r WHERE r.run_id = presence.run_id)));

-- Privileges: read and append the record; maintain presence; nothing else.
REVOKE ALL ON ALL TABLES IN SCHEMA runsheet FROM PUBLIC;
GRANT USAGE ON SCHEMA runsheet TO runsheet_team;
GRANT SELECT ON runsheet.runs, runsheet.templates, runsheet.events, runsheet.people,
    runsheet.schema_version TO runsheet_team;
GRANT INSERT (run_id, team) ON runsheet.runs TO runsheet_team;
GRANT INSERT (run_id, sha256, body) ON runsheet.templates TO runsheet_team;
GRANT INSERT (run_id, seq, prev, hash, line, intent_id, imported) ON runsheet.events TO runsheet_team;
GRANT SELECT, DELETE ON runsheet.presence TO runsheet_team;
GRANT INSERT (session_id, run_id, display_name, os_user, host),
    UPDATE (display_name, os_user, host) ON runsheet.presence TO runsheet_team;
