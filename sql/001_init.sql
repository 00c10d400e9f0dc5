-- libgridflow schema, migration 1: the record log, the tables hosts
-- query, the outbox and the partition leases.
--
-- Every table carries `part`, the region partition key (for example a
-- district's code), first in its primary key: on a distributed
-- PostgreSQL (Citus) each is a distributed table by `part`, and every
-- statement the engine sends names one partition. docs/postgres.md
-- explains each table and how hosts read them.
--
-- Times are timestamptz; the engine's own clock is milliseconds since
-- the epoch, sent as a bigint and converted with gf_ms(). Keys and the
-- columns hosts filter on are COLLATE "C": byte order, the same on every
-- server whatever its locale, and cheaper to compare.

CREATE FUNCTION gf_ms(ms bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT to_timestamp(ms / 1000.0) $$;

-- One row per partition: the lease an engine holds on it. `token`
-- grows with every acquisition and fences a former holder: each of the
-- engine's transactions starts with gf_fence(), which fails once
-- another engine has taken the partition over.
CREATE TABLE gf_partition (
	part        text COLLATE "C" PRIMARY KEY,
	owner       text COLLATE "C",
	token       bigint NOT NULL DEFAULT 0,
	lease_until timestamptz,
	acquired_at timestamptz
);

--
-- The fence takes the partition's advisory lock shared until the
-- transaction ends; a takeover takes it exclusive (gf_take) before it
-- changes the token, so it waits for the transactions in flight, and a
-- transaction that starts after it sees the new token and fails. The
-- lock is in memory only, so the fence writes nothing, except to renew
-- the lease when less than half of it is left.
CREATE FUNCTION gf_part_lock(p_part text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT hashtext('gridflow partition ' || p_part) $$;

-- Take a partition for p_owner if nobody holds a live lease on it:
-- the new token, or NULL.
CREATE FUNCTION gf_take(p_part text, p_owner text, p_lease_ms integer)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	t bigint;
BEGIN
	INSERT INTO gf_partition (part) VALUES (p_part)
	ON CONFLICT (part) DO NOTHING;
	PERFORM pg_advisory_xact_lock(7240217, gf_part_lock(p_part));
	UPDATE gf_partition
	   SET owner = p_owner, token = token + 1,
	       lease_until = clock_timestamp() + p_lease_ms * interval '1 millisecond',
	       acquired_at = clock_timestamp()
	 WHERE part = p_part
	   AND (owner IS NULL OR lease_until IS NULL OR lease_until < clock_timestamp())
	RETURNING token INTO t;
	RETURN t;
END $$;

CREATE FUNCTION gf_fence(p_part text, p_token bigint, p_lease_ms integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	until timestamptz;
BEGIN
	PERFORM pg_advisory_xact_lock_shared(7240217, gf_part_lock(p_part));
	SELECT lease_until INTO until FROM gf_partition
	 WHERE part = p_part AND token = p_token;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'gridflow: partition % was taken over by another engine (lease token % is stale)',
			p_part, p_token USING ERRCODE = 'GFL01';
	END IF;
	IF until IS NULL OR until - clock_timestamp() <
	   (p_lease_ms / 2) * interval '1 millisecond' THEN
		UPDATE gf_partition
		   SET lease_until = clock_timestamp() + p_lease_ms * interval '1 millisecond'
		 WHERE part = p_part AND token = p_token;
	END IF;
END $$;

-- The engine's records, in order: the truth an engine replays at open.
-- The tables below are kept from them in the same transactions, for
-- hosts to query.
CREATE TABLE gf_record (
	part      text     NOT NULL,
	seq       bigint   NOT NULL,
	type      smallint NOT NULL,
	body      bytea    NOT NULL,
	stored_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (part, seq)
);

CREATE TABLE gf_order (
	part          text COLLATE "C" NOT NULL,
	order_id      text COLLATE "C" NOT NULL,
	state         text COLLATE "C" NOT NULL,
	lead          text COLLATE "C",
	level         text,
	region        text COLLATE "C",
	category      text,
	urgency       text,
	priority      integer,
	scale         text,
	rule          text,
	sla           text,
	rules_version text,
	report_count  integer NOT NULL,
	caller_count  integer NOT NULL,
	merged_into   text,
	suspected_of  text,
	created_at    timestamptz,
	updated_at    timestamptz,
	-- the earliest due time among the order's running clocks
	due_at        timestamptz,
	PRIMARY KEY (part, order_id)
);
CREATE INDEX gf_order_state ON gf_order (part, state);
CREATE INDEX gf_order_lead ON gf_order (part, lead, state);
CREATE INDEX gf_order_region ON gf_order (part, region);
CREATE INDEX gf_order_due ON gf_order (part, due_at) WHERE due_at IS NOT NULL;

-- Every report, of every channel. (part, channel, source_id) is unique:
-- a delivery stored twice would violate it, whatever the engine did.
CREATE TABLE gf_report (
	part        text COLLATE "C" NOT NULL,
	channel     text COLLATE "C" NOT NULL,
	source_id   text COLLATE "C" NOT NULL,
	order_id    text COLLATE "C" NOT NULL,
	n           integer NOT NULL,
	received_at timestamptz,
	region      text COLLATE "C",
	category    text,
	title       text,
	content     text,
	address     text,
	grid        text,
	lat         double precision,
	lon         double precision,
	reporter    text,
	event       text,               -- the normalised event JSON, with its
	                                -- attributes and unknown fields
	PRIMARY KEY (part, channel, source_id)
);
CREATE INDEX gf_report_order ON gf_report (part, order_id);

-- The audit trail: append-only, one row per entry of an order's trail.
CREATE TABLE gf_audit (
	part       text COLLATE "C" NOT NULL,
	order_id   text COLLATE "C" NOT NULL,
	n          integer NOT NULL,
	at         timestamptz NOT NULL,
	what       text NOT NULL,
	actor_dept text,
	actor_role text,
	from_state text,
	to_state   text,
	reason     text,
	lead       text COLLATE "C",
	PRIMARY KEY (part, order_id, n)
);

CREATE TABLE gf_clock (
	part        text COLLATE "C" NOT NULL,
	order_id    text COLLATE "C" NOT NULL,
	name        text COLLATE "C" NOT NULL,
	state       text COLLATE "C" NOT NULL,
	started     timestamptz,
	due         timestamptz,
	warning     timestamptz,
	stopped     timestamptz,
	paused_ms   bigint NOT NULL,
	extensions  integer NOT NULL,
	runs        integer NOT NULL,
	steps_fired integer NOT NULL,
	PRIMARY KEY (part, order_id, name)
);
CREATE INDEX gf_clock_due ON gf_clock (part, due) WHERE state = 'running';

-- Rejected events, kept byte for byte for repair.
CREATE TABLE gf_quarantine (
	part          text COLLATE "C" NOT NULL,
	id            bigint NOT NULL,
	at            timestamptz NOT NULL,
	code          integer NOT NULL,   -- the GF_E* code
	error         text NOT NULL,      -- its stable name: EJSON, EMISSING, ...
	field         text,
	message       text NOT NULL,
	ref           text,
	raw           bytea NOT NULL,
	digest        bytea NOT NULL,
	open          boolean NOT NULL DEFAULT true,
	closed_reason text,
	closed_at     timestamptz,
	PRIMARY KEY (part, id)
);
CREATE INDEX gf_quarantine_open ON gf_quarantine (part, id) WHERE open;

-- Notifications for host systems, written in the transaction of the
-- change that raised them; a NOTIFY on channel gf_outbox (payload: the
-- partition) goes with each commit that wrote some. gf_outbox_take()
-- hands each row to one consumer once.
CREATE TABLE gf_outbox (
	part        text COLLATE "C" NOT NULL,
	id          bigint NOT NULL,
	at          timestamptz NOT NULL,
	kind        text COLLATE "C" NOT NULL,
	order_id    text COLLATE "C",
	dept        text,
	message     text NOT NULL,
	clock       text,
	step        text,
	due         timestamptz,
	created_at  timestamptz NOT NULL DEFAULT now(),
	consumed_by text,
	consumed_at timestamptz,
	PRIMARY KEY (part, id)
);
CREATE INDEX gf_outbox_pending ON gf_outbox (part, id) WHERE consumed_at IS NULL;

-- Take up to p_limit unconsumed notifications of a partition, oldest
-- first, marking them consumed by p_consumer. Run it in the consumer's
-- own transaction with its side effects: if that transaction rolls
-- back, the rows stay for the next take; concurrent consumers skip each
-- other's rows.
CREATE FUNCTION gf_outbox_take(p_part text, p_consumer text, p_limit integer)
RETURNS SETOF gf_outbox LANGUAGE sql AS $$
	UPDATE gf_outbox o
	   SET consumed_by = p_consumer, consumed_at = now()
	 WHERE (o.part, o.id) IN (
		SELECT part, id FROM gf_outbox
		 WHERE part = p_part AND consumed_at IS NULL
		 ORDER BY id
		 LIMIT p_limit
		 FOR UPDATE SKIP LOCKED)
	RETURNING o.*
$$;

-- The queries hosts need, each within one partition.
CREATE VIEW gf_overdue AS
	SELECT o.*, c.name AS clock, c.due AS clock_due
	  FROM gf_order o
	  JOIN gf_clock c USING (part, order_id)
	 WHERE c.state = 'running' AND c.due < now();
