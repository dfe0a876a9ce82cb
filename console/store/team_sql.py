"""Team mode's server side: the SECURITY DEFINER functions through which desks append to the audit
trail and change accounts, as SQL text for `team setup` to install as the owner role.

Every function runs as the owner with a fixed search_path (the console's schema, then pg_temp),
takes the caller from session_user (which SET ROLE cannot change), and checks the caller's console
role in the users table itself. Errors a user can act on carry SQLSTATEs of our own:
CP403 refused, CP409 changed by someone else meanwhile, CP422 invalid input.
"""

# ruff: noqa: S608 - the SQL is built from our own names, quoted by ident() and literal()

from __future__ import annotations

from collections.abc import Iterable

from console.domain.permissions import MATRIX, Permission, Role

DENIED, CONFLICT, INVALID = "CP403", "CP409", "CP422"
# The same lock key as console.store.audit_log, so appends from any path queue in one line.
AUDIT_LOCK_KEY = 0x50_0C_A0_D1
# Written only by the functions below, never through console_audit_append.
RESERVED_ACTIONS = ("login", "login.failed", "user.%", "team.%")
# Role names as console user names: what `user add` accepts, within PostgreSQL's 63 bytes.
NAME_PATTERN = "^[A-Za-z0-9._@-]{1,63}$"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A quoted SQL string literal (standard_conforming_strings is on in every supported server)."""
    return "'" + text.replace("'", "''") + "'"


def _array(values: Iterable[str]) -> str:
    return "ARRAY[" + ", ".join(literal(v) for v in values) + "]::text[]"


def functions(schema: str, groups: dict[Role, str]) -> list[str]:
    """CREATE OR REPLACE statements of every team-mode function, for this schema and these groups."""
    s = ident(schema)
    head = f"SECURITY DEFINER SET search_path = {s}, pg_temp"
    managers = _array(r.value for r in Role if Permission.MANAGE_USERS in MATRIX[r])
    group_of = " ".join(
        f"WHEN {literal(role.value)} THEN {literal(name)}" for role, name in groups.items()
    )
    reserved = " OR ".join(f"p_action LIKE {literal(a)}" for a in RESERVED_ACTIONS)
    return [
        # The chain link is computed here, from the stored row before it, under one lock:
        # a desk hands over what happened, never where it goes in the chain or who did it.
        # The encoding is console.domain.auditchain.event_hash's: a JSON array of the fields.
        f"""
CREATE OR REPLACE FUNCTION {s}.console_append(
    p_actor text, p_action text, p_object_type text, p_object_id text, p_details text
) RETURNS bigint LANGUAGE plpgsql {head} AS $$
DECLARE
    v_seq bigint;
    v_prev text;
    v_at text;
    v_hash text;
BEGIN
    IF coalesce(p_action, '') = '' THEN
        RAISE EXCEPTION 'an audit event needs an action' USING ERRCODE = '{INVALID}';
    END IF;
    PERFORM p_details::jsonb;
    PERFORM pg_advisory_xact_lock({AUDIT_LOCK_KEY});
    SELECT seq, hash INTO v_seq, v_prev FROM audit_events ORDER BY seq DESC LIMIT 1;
    IF NOT FOUND THEN
        v_seq := 0;
        v_prev := repeat('0', 64);
    END IF;
    v_seq := v_seq + 1;
    v_at := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
        || '+00:00';
    v_hash := encode(sha256(convert_to(
        '[' || v_seq || ',' || to_json(v_at)::text || ',' || to_json(p_actor)::text || ','
        || to_json(p_action)::text || ',' || to_json(coalesce(p_object_type, ''))::text || ','
        || to_json(coalesce(p_object_id, ''))::text || ',' || to_json(p_details)::text || ','
        || to_json(v_prev)::text || ']', 'UTF8')), 'hex');
    INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, details,
                              prev_hash, hash)
    VALUES (v_seq, v_at, p_actor, p_action, coalesce(p_object_type, ''),
            coalesce(p_object_id, ''), p_details, v_prev, v_hash);
    RETURN v_seq;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_is_member(p_member text, p_group text) RETURNS boolean
LANGUAGE sql STABLE {head} AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_auth_members m
        JOIN pg_roles g ON g.oid = m.roleid
        JOIN pg_roles r ON r.oid = m.member
        WHERE g.rolname = p_group AND r.rolname = p_member)
$$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_group(p_role text) RETURNS text
LANGUAGE sql IMMUTABLE {head} AS $$
    SELECT CASE p_role {group_of} END
$$""",
        # Membership follows the account: its role's group while it is enabled and its password
        # is its own; none while disabled or on a one-time password (which can then only change
        # itself), so an open connection loses its powers at once.
        f"""
CREATE OR REPLACE FUNCTION {s}.console_sync_member(p_user_id integer) RETURNS void
LANGUAGE plpgsql {head} AS $$
DECLARE
    u users%ROWTYPE;
    g text;
    wanted text;
BEGIN
    SELECT * INTO u FROM users WHERE id = p_user_id;
    wanted := CASE WHEN u.active AND NOT u.must_change_password
                   THEN console_group(u.role) END;
    FOREACH g IN ARRAY {_array(groups.values())} LOOP
        IF g IS DISTINCT FROM wanted AND console_is_member(u.name, g) THEN
            EXECUTE format('REVOKE %I FROM %I', g, u.name);
        END IF;
    END LOOP;
    IF wanted IS NOT NULL AND NOT console_is_member(u.name, wanted) THEN
        EXECUTE format('GRANT %I TO %I', wanted, u.name);
    END IF;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_caller() RETURNS users
LANGUAGE plpgsql STABLE {head} AS $$
DECLARE
    u users%ROWTYPE;
BEGIN
    SELECT * INTO u FROM users WHERE name = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'The database role % is not an account of this console.', session_user
            USING ERRCODE = '{DENIED}';
    END IF;
    RETURN u;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_manager() RETURNS users
LANGUAGE plpgsql STABLE {head} AS $$
DECLARE
    u users%ROWTYPE := console_caller();
BEGIN
    IF NOT u.active OR u.must_change_password OR NOT u.role = ANY({managers}) THEN
        RAISE EXCEPTION '% may not manage accounts.', u.name USING ERRCODE = '{DENIED}';
    END IF;
    RETURN u;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_audit_append(
    p_action text, p_object_type text, p_object_id text, p_details text
) RETURNS bigint LANGUAGE plpgsql {head} AS $$
DECLARE
    u users%ROWTYPE := console_caller();
BEGIN
    IF {reserved} THEN
        RAISE EXCEPTION 'The event % is written only by the server.', p_action
            USING ERRCODE = '{DENIED}';
    END IF;
    IF (NOT u.active OR u.must_change_password) AND p_action <> 'access.denied' THEN
        RAISE EXCEPTION '% may not work now.', u.name USING ERRCODE = '{DENIED}';
    END IF;
    RETURN console_append(u.name, p_action, p_object_type, p_object_id, p_details);
END $$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_whoami() RETURNS TABLE (
    id integer, name text, role text, active boolean, must_change_password boolean,
    password_expires_at timestamptz
) LANGUAGE sql STABLE {head} AS $$
    SELECT id, name, role, active, must_change_password, password_expires_at
    FROM users WHERE name = session_user
$$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_signed_in() RETURNS void
LANGUAGE plpgsql {head} AS $$
DECLARE
    u users%ROWTYPE := console_caller();
BEGIN
    IF NOT u.active THEN
        RAISE EXCEPTION '% is disabled.', u.name USING ERRCODE = '{DENIED}';
    END IF;
    UPDATE users SET last_login_at = now(), failed_logins = 0, retry_after = NULL,
                     version = version + 1
    WHERE id = u.id;
    PERFORM console_append(u.name, 'login', 'user', u.id::text, '{{}}');
END $$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_user_add(
    p_name text, p_full_name text, p_role text, p_verifier text, p_valid_until timestamptz
) RETURNS integer LANGUAGE plpgsql {head} AS $$
DECLARE
    caller users%ROWTYPE := console_manager();
    v_id integer;
BEGIN
    IF console_group(p_role) IS NULL THEN
        RAISE EXCEPTION 'Unknown role %.', p_role USING ERRCODE = '{INVALID}';
    END IF;
    IF p_name !~ {literal(NAME_PATTERN)} THEN
        RAISE EXCEPTION 'In team mode a user name is also a database role: use at most 63 '
            'ASCII letters, digits or . _ - @.' USING ERRCODE = '{INVALID}';
    END IF;
    IF p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'A password reaches the server only as a SCRAM verifier.'
            USING ERRCODE = '{INVALID}';
    END IF;
    IF EXISTS (SELECT 1 FROM users WHERE name = p_name) THEN
        RAISE EXCEPTION 'A user named ''%'' already exists.', p_name USING ERRCODE = '{INVALID}';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN
        RAISE EXCEPTION 'The database server already has a role named ''%'': choose another '
            'user name.', p_name USING ERRCODE = '{INVALID}';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L VALID UNTIL %L',
                   p_name, p_verifier, p_valid_until);
    -- Its own CONNECT: a desk on its one-time password belongs to no group yet.
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), p_name);
    INSERT INTO users (name, full_name, role, password_hash, must_change_password, active,
                       failed_logins, created_at, version, password_expires_at)
    VALUES (p_name, coalesce(p_full_name, ''), p_role, '', true, true, 0, now(), 1,
            p_valid_until)
    RETURNING id INTO v_id;
    PERFORM console_sync_member(v_id);
    PERFORM console_append(caller.name, 'user.create', 'user', v_id::text,
        '{{"name":' || to_json(p_name)::text || ',"role":' || to_json(p_role)::text || '}}');
    RETURN v_id;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_target(p_id integer, p_expected_version integer)
RETURNS users LANGUAGE plpgsql {head} AS $$
DECLARE
    u users%ROWTYPE;
BEGIN
    SELECT * INTO u FROM users WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No user with id %.', p_id USING ERRCODE = '{INVALID}';
    END IF;
    IF p_expected_version IS NOT NULL AND u.version <> p_expected_version THEN
        RAISE EXCEPTION 'The account ''%'' was changed by someone else.', u.name
            USING ERRCODE = '{CONFLICT}';
    END IF;
    RETURN u;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_last_admin(p_user users) RETURNS boolean
LANGUAGE sql STABLE {head} AS $$
    SELECT p_user.role = 'admin' AND p_user.active
       AND (SELECT count(*) FROM users WHERE role = 'admin' AND active) <= 1
$$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_user_set_role(
    p_id integer, p_role text, p_expected_version integer
) RETURNS void LANGUAGE plpgsql {head} AS $$
DECLARE
    caller users%ROWTYPE := console_manager();
    u users%ROWTYPE := console_target(p_id, p_expected_version);
BEGIN
    IF console_group(p_role) IS NULL THEN
        RAISE EXCEPTION 'Unknown role %.', p_role USING ERRCODE = '{INVALID}';
    END IF;
    IF u.role = p_role THEN
        RETURN;
    END IF;
    IF console_last_admin(u) THEN
        RAISE EXCEPTION '''%'' is the last admin and cannot be demoted.', u.name
            USING ERRCODE = '{INVALID}';
    END IF;
    UPDATE users SET role = p_role, version = version + 1 WHERE id = u.id;
    PERFORM console_sync_member(u.id);
    PERFORM console_append(caller.name, 'user.role_change', 'user', u.id::text,
        '{{"after":' || to_json(p_role)::text || ',"before":' || to_json(u.role)::text
        || ',"name":' || to_json(u.name)::text || '}}');
END $$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_user_set_active(
    p_id integer, p_active boolean, p_expected_version integer
) RETURNS void LANGUAGE plpgsql {head} AS $$
DECLARE
    caller users%ROWTYPE := console_manager();
    u users%ROWTYPE := console_target(p_id, p_expected_version);
BEGIN
    IF u.active = p_active THEN
        RETURN;
    END IF;
    IF NOT p_active AND console_last_admin(u) THEN
        RAISE EXCEPTION '''%'' is the last admin and cannot be disabled.', u.name
            USING ERRCODE = '{INVALID}';
    END IF;
    IF NOT p_active AND u.id = caller.id THEN
        RAISE EXCEPTION 'You cannot disable your own account.' USING ERRCODE = '{INVALID}';
    END IF;
    UPDATE users SET active = p_active, version = version + 1 WHERE id = u.id;
    EXECUTE format(CASE WHEN p_active THEN 'ALTER ROLE %I LOGIN' ELSE 'ALTER ROLE %I NOLOGIN' END,
                   u.name);
    PERFORM console_sync_member(u.id);
    PERFORM console_append(caller.name, CASE WHEN p_active THEN 'user.enable'
                                             ELSE 'user.disable' END,
        'user', u.id::text, '{{"name":' || to_json(u.name)::text || '}}');
END $$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_user_reset(
    p_id integer, p_verifier text, p_valid_until timestamptz
) RETURNS void LANGUAGE plpgsql {head} AS $$
DECLARE
    caller users%ROWTYPE := console_manager();
    u users%ROWTYPE := console_target(p_id, NULL);
BEGIN
    IF p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'A password reaches the server only as a SCRAM verifier.'
            USING ERRCODE = '{INVALID}';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L VALID UNTIL %L', u.name, p_verifier,
                   p_valid_until);
    UPDATE users SET must_change_password = true, failed_logins = 0, retry_after = NULL,
                     password_expires_at = p_valid_until, version = version + 1
    WHERE id = u.id;
    PERFORM console_sync_member(u.id);
    PERFORM console_append(caller.name, 'user.password_reset', 'user', u.id::text,
        '{{"name":' || to_json(u.name)::text || '}}');
END $$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.console_passwd(p_verifier text) RETURNS void
LANGUAGE plpgsql {head} AS $$
DECLARE
    u users%ROWTYPE := console_caller();
BEGIN
    IF NOT u.active THEN
        RAISE EXCEPTION '% is disabled.', u.name USING ERRCODE = '{DENIED}';
    END IF;
    IF p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'A password reaches the server only as a SCRAM verifier.'
            USING ERRCODE = '{INVALID}';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L VALID UNTIL %L', u.name, p_verifier, 'infinity');
    UPDATE users SET must_change_password = false, password_expires_at = NULL,
                     version = version + 1
    WHERE id = u.id;
    PERFORM console_sync_member(u.id);
    PERFORM console_append(u.name, 'user.password_change', 'user', u.id::text, '{{}}');
END $$""",
    ]


# name(argument types) -> who may call it: "PUBLIC", "managers" or "nobody" (owner and the other
# functions only). The functions themselves check who calls them; EXECUTE is the outer fence.
EXECUTE: dict[str, str] = {
    "console_append(text, text, text, text, text)": "nobody",
    "console_group(text)": "nobody",
    "console_is_member(text, text)": "nobody",
    "console_sync_member(integer)": "nobody",
    "console_caller()": "nobody",
    "console_manager()": "nobody",
    "console_target(integer, integer)": "nobody",
    "console_last_admin(users)": "nobody",
    "console_audit_append(text, text, text, text)": "PUBLIC",
    "console_whoami()": "PUBLIC",
    "console_signed_in()": "PUBLIC",
    "console_passwd(text)": "PUBLIC",
    # Created by migration 0008 (it exists in every PostgreSQL database, team mode or not).
    "console_keyed_hash(text)": "PUBLIC",
    "console_user_add(text, text, text, text, timestamp with time zone)": "managers",
    "console_user_set_role(integer, text, integer)": "managers",
    "console_user_set_active(integer, boolean, integer)": "managers",
    "console_user_reset(integer, text, timestamp with time zone)": "managers",
}
