"""Schema versions. Each migration runs once, in order, recorded in PRAGMA user_version.

Add a migration by appending a function; never edit one that has shipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlite_utils


def _run(db: sqlite_utils.Database, script: str) -> None:
    """Run DDL statement by statement: executescript() would COMMIT the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.conn.execute(statement)


def _v1(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sites (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT, timezone TEXT NOT NULL,
            policy TEXT NOT NULL, default_service_s REAL NOT NULL, notice TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE fields (
            site_id TEXT NOT NULL REFERENCES sites(id), code TEXT NOT NULL, name TEXT NOT NULL, name_en TEXT,
            PRIMARY KEY (site_id, code)
        );
        CREATE TABLE services (
            site_id TEXT NOT NULL REFERENCES sites(id), code TEXT NOT NULL, field TEXT NOT NULL,
            name TEXT NOT NULL, name_en TEXT, prefix TEXT NOT NULL DEFAULT '',
            num_start INTEGER NOT NULL, num_end INTEGER NOT NULL, num_width INTEGER NOT NULL,
            avg_service_s REAL, active INTEGER NOT NULL DEFAULT 1, position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (site_id, code)
        );
        CREATE TABLE officers (
            site_id TEXT NOT NULL REFERENCES sites(id), id TEXT NOT NULL, name TEXT NOT NULL,
            PRIMARY KEY (site_id, id)
        );
        CREATE TABLE counters (
            site_id TEXT NOT NULL REFERENCES sites(id), number INTEGER NOT NULL, name TEXT NOT NULL,
            services TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'closed', officer TEXT,
            current_ticket INTEGER, regular_streak INTEGER, streak_day TEXT,
            PRIMARY KEY (site_id, number)
        );
        CREATE TABLE devices (
            id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id), role TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '', secret_hash TEXT NOT NULL, counter INTEGER,
            hardware TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL, revoked_at REAL,
            status TEXT NOT NULL DEFAULT 'never', version TEXT, last_seen REAL, health TEXT
        );
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY AUTOINCREMENT, site_id TEXT NOT NULL, day TEXT NOT NULL,
            service TEXT NOT NULL, seq INTEGER NOT NULL, number TEXT NOT NULL,
            priority TEXT NOT NULL DEFAULT 'none', status TEXT NOT NULL, lang TEXT NOT NULL DEFAULT 'vi',
            issued_at REAL NOT NULL, queued_at REAL NOT NULL, called_at REAL, first_called_at REAL,
            done_at REAL, counter INTEGER, officer TEXT, recalls INTEGER NOT NULL DEFAULT 0,
            target_counter INTEGER, device_id TEXT,
            UNIQUE (site_id, day, service, seq)
        );
        CREATE INDEX tickets_waiting ON tickets(site_id, status, day, queued_at);
        CREATE INDEX tickets_service_waiting ON tickets(site_id, day, service, status, queued_at);
        CREATE INDEX tickets_target ON tickets(site_id, target_counter, day, status, queued_at)
            WHERE target_counter IS NOT NULL;
        CREATE TABLE ticket_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            site_id TEXT NOT NULL, at REAL NOT NULL, kind TEXT NOT NULL, counter INTEGER, officer TEXT,
            device_id TEXT, data TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id);
        CREATE INDEX ticket_events_site_kind ON ticket_events(site_id, kind, id);
        CREATE TABLE requests (
            device_id TEXT NOT NULL, request_id TEXT NOT NULL, verb TEXT NOT NULL,
            response TEXT NOT NULL, at REAL NOT NULL,
            PRIMARY KEY (device_id, request_id)
        );
        CREATE INDEX requests_at ON requests(at);
        CREATE TABLE procedures (
            id TEXT PRIMARY KEY, code TEXT, name TEXT NOT NULL, name_en TEXT, field TEXT NOT NULL,
            level TEXT, agency TEXT, processing_days REAL, search_text TEXT NOT NULL, doc TEXT NOT NULL
        );
        """
    )


def _dossiers(db: sqlite_utils.Database) -> None:
    """Issue #5: dossiers and their append-only events, per-site dossier settings (calendar, agency
    code, transfer times), agency specialists, the notification outbox, catalogue versions."""
    _run(
        db,
        """
        CREATE TABLE dossier_settings (site_id TEXT PRIMARY KEY REFERENCES sites(id), config TEXT NOT NULL);
        CREATE TABLE dossiers (
            code TEXT PRIMARY KEY, site_id TEXT NOT NULL, day TEXT NOT NULL, seq INTEGER NOT NULL,
            procedure_id TEXT NOT NULL, procedure_name TEXT NOT NULL, field TEXT NOT NULL, agency TEXT NOT NULL,
            applicant_name TEXT NOT NULL, applicant TEXT NOT NULL, documents TEXT NOT NULL,
            sets INTEGER NOT NULL, return_method TEXT NOT NULL, fees_vnd INTEGER NOT NULL DEFAULT 0,
            officer TEXT, counter INTEGER, ticket_id INTEGER, return_ticket_id INTEGER,
            received_at REAL NOT NULL, legal_due_at REAL NOT NULL, promised_due_at REAL NOT NULL,
            status TEXT NOT NULL, holder TEXT NOT NULL, outcome TEXT, finished_at REAL, ready_at REAL,
            returned_at REAL, apologies INTEGER NOT NULL DEFAULT 0, first_apology_at REAL,
            at_risk_alerted_at REAL, late_alerted_at REAL, postal_tracking TEXT, state TEXT NOT NULL,
            UNIQUE (site_id, day, seq)
        );
        CREATE INDEX dossiers_site_received ON dossiers(site_id, received_at);
        CREATE INDEX dossiers_site_finished ON dossiers(site_id, finished_at);
        CREATE INDEX dossiers_site_status ON dossiers(site_id, status, legal_due_at);
        CREATE INDEX dossiers_site_due ON dossiers(site_id, legal_due_at);
        CREATE INDEX dossiers_return_ticket ON dossiers(return_ticket_id);
        CREATE TABLE dossier_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL REFERENCES dossiers(code),
            site_id TEXT NOT NULL, at REAL NOT NULL, kind TEXT NOT NULL, by_who TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX dossier_events_code ON dossier_events(code, id);
        CREATE TABLE specialists (
            id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id), agency TEXT NOT NULL,
            name TEXT NOT NULL, token_hash TEXT NOT NULL, created_at REAL NOT NULL
        );
        CREATE TABLE notifications (
            id INTEGER PRIMARY KEY AUTOINCREMENT, site_id TEXT NOT NULL, dossier_code TEXT,
            kind TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL,
            body TEXT NOT NULL, created_at REAL NOT NULL, sent_at REAL, attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        );
        CREATE INDEX notifications_pending ON notifications(sent_at, id);
        ALTER TABLE procedures ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX procedures_version ON procedures(version);
        CREATE TABLE procedures_removed (id TEXT PRIMARY KEY, version INTEGER NOT NULL)
        """
    )
    for op in ("UPDATE", "DELETE"):  # a trigger body has its own ';', so not through _run
        db.conn.execute(f"CREATE TRIGGER dossier_events_no_{op.lower()} BEFORE {op} ON dossier_events "
                        "BEGIN SELECT RAISE(ABORT, 'dossier events are append-only'); END")


def _votes(db: sqlite_utils.Database) -> None:
    """Issue #3: satisfaction votes, one per served ticket, against counter, officer, service (and later
    the dossier)."""
    _run(
        db,
        """
        CREATE TABLE votes (
            id INTEGER PRIMARY KEY AUTOINCREMENT, site_id TEXT NOT NULL, ticket_id INTEGER NOT NULL UNIQUE,
            counter INTEGER NOT NULL, officer TEXT, service TEXT NOT NULL, rating INTEGER NOT NULL,
            reasons TEXT NOT NULL DEFAULT '[]', answers TEXT NOT NULL DEFAULT '{}', comment TEXT,
            dossier_code TEXT, device_id TEXT, at REAL NOT NULL
        );
        CREATE INDEX votes_site_at ON votes(site_id, at)
        """
    )


def _officer_signin(db: sqlite_utils.Database) -> None:
    """Issue #4: officers sign in at a counter with username + PIN or a badge (both stored hashed)."""
    _run(
        db,
        """
        ALTER TABLE officers ADD COLUMN username TEXT;
        ALTER TABLE officers ADD COLUMN pin_hash TEXT;
        ALTER TABLE officers ADD COLUMN badge_hash TEXT;
        ALTER TABLE officers ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE officers ADD COLUMN locked_until REAL;
        CREATE UNIQUE INDEX officers_username ON officers(site_id, username);
        CREATE UNIQUE INDEX officers_badge ON officers(site_id, badge_hash)
        """,
    )


def _dossier_vote_link(db: sqlite_utils.Database) -> None:
    """Issue #5: a vote given for the ticket during which a dossier was returned is stored against that
    dossier too, whichever arrives first (the return also fills votes already stored)."""
    db.conn.execute(
        "CREATE TRIGGER votes_link_dossier AFTER INSERT ON votes WHEN NEW.dossier_code IS NULL BEGIN "
        "UPDATE votes SET dossier_code = (SELECT code FROM dossiers WHERE return_ticket_id = NEW.ticket_id "
        "ORDER BY returned_at DESC LIMIT 1) WHERE id = NEW.id; END")


def _queue_indexes(db: sqlite_utils.Database) -> None:
    """Issue #2 (call path): partial indexes that hold only the rows each hot query looks for.

    Every Next changes two tickets' status; with `status` inside two full indexes each change rewrote
    four index pages, and the oldest-priority lookup walked every regular ticket waiting. Now a status
    change touches only the index of the state it leaves and the one it enters, the priority lookup
    reads priority tickets only, and the service-time average no longer sorts every ticket ever done.
    `status` stays a column of tickets_queue although it is always 'waiting' there: SQLite counts people
    ahead from the index alone only when the index holds every column the query names.
    """
    _run(
        db,
        """
        DROP INDEX tickets_waiting;
        DROP INDEX tickets_service_waiting;
        CREATE INDEX tickets_queue ON tickets(site_id, day, service, status, queued_at) WHERE status = 'waiting';
        CREATE INDEX tickets_queue_priority ON tickets(site_id, day, service, queued_at)
            WHERE status = 'waiting' AND priority != 'none';
        CREATE INDEX tickets_held ON tickets(site_id, counter) WHERE status = 'held';
        CREATE INDEX tickets_done ON tickets(site_id, service, done_at) WHERE status = 'done'
        """,
    )


def _queue_counts(db: sqlite_utils.Database) -> None:
    """Issue #2: how many wait per service and day, kept by the database itself on every ticket write.

    The lobby state after each call and the "people ahead" of each new ticket counted the waiting rows:
    cost grew with the queue. Triggers keep the count in the same transaction as the change, whatever
    wrote it (a call, a transfer to another service, the nightly expiry, a dossier's return ticket), so
    it cannot drift from the rows.
    """
    plus = ("INSERT INTO queue_counts(site_id, day, service, waiting) VALUES (NEW.site_id, NEW.day, NEW.service, 1) "
            "ON CONFLICT(site_id, day, service) DO UPDATE SET waiting = waiting + 1")
    minus = ("UPDATE queue_counts SET waiting = waiting - 1 "
             "WHERE site_id = OLD.site_id AND day = OLD.day AND service = OLD.service")
    moved = "UPDATE OF status, service, day, site_id ON tickets"
    _run(
        db,
        """
        CREATE TABLE queue_counts (
            site_id TEXT NOT NULL, day TEXT NOT NULL, service TEXT NOT NULL, waiting INTEGER NOT NULL,
            PRIMARY KEY (site_id, day, service)
        ) WITHOUT ROWID;
        INSERT INTO queue_counts(site_id, day, service, waiting)
            SELECT site_id, day, service, COUNT(*) FROM tickets WHERE status = 'waiting' GROUP BY 1, 2, 3
        """,
    )
    for trigger in (  # one execute each: _run splits on the ";" inside BEGIN … END
        f"CREATE TRIGGER tickets_waiting_insert AFTER INSERT ON tickets WHEN NEW.status = 'waiting' BEGIN {plus}; END",
        f"CREATE TRIGGER tickets_waiting_leave AFTER {moved} WHEN OLD.status = 'waiting' BEGIN {minus}; END",
        f"CREATE TRIGGER tickets_waiting_enter AFTER {moved} WHEN NEW.status = 'waiting' BEGIN {plus}; END",
        f"CREATE TRIGGER tickets_waiting_delete AFTER DELETE ON tickets WHEN OLD.status = 'waiting' BEGIN {minus}; END",
    ):
        db.conn.execute(trigger)


def _deferred_effects(db: sqlite_utils.Database) -> None:
    """Effects committed by a process that cannot publish (the CLI), published by the hub (hub.ops.run)."""
    _run(db, "CREATE TABLE deferred_effects (id INTEGER PRIMARY KEY, at REAL NOT NULL, body TEXT NOT NULL)")


def _api_tokens(db: sqlite_utils.Database) -> None:
    """API tokens scoped to a role and a site (hub.store.tokens); only a hash of the secret."""
    _run(db, """
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY, role TEXT NOT NULL, site_id TEXT REFERENCES sites(id), agency TEXT,
            name TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE, created_at REAL NOT NULL, revoked_at REAL
        )""")


def _register_books(db: sqlite_utils.Database) -> None:
    """Issue #16: the tracking register (Sổ theo dõi hồ sơ) is kept per year and per field; a dossier's
    number in its book (Số thứ tự) is printed on the receipt and is the register's TT. Existing dossiers
    are numbered in the order they were received."""
    _run(db, """
        ALTER TABLE dossiers ADD COLUMN register_year INTEGER;
        ALTER TABLE dossiers ADD COLUMN register_no INTEGER;
        UPDATE dossiers SET register_year = CAST(substr(day, 1, 4) AS INTEGER), register_no = (
            SELECT n FROM (SELECT code AS c, ROW_NUMBER() OVER (PARTITION BY site_id, substr(day, 1, 4), field
                                                             ORDER BY received_at, code) AS n FROM dossiers) AS numbered
            WHERE c = dossiers.code);
        CREATE UNIQUE INDEX dossiers_register ON dossiers(site_id, register_year, field, register_no)""")


def _portal_outbox(db: sqlite_utils.Database) -> None:
    """Issue #16: the durable outbound queue to the provincial system / national portal (hub.ops.portal)."""
    _run(db, """
        CREATE TABLE portal_outbox (
            id INTEGER PRIMARY KEY, record_id TEXT NOT NULL UNIQUE, site_id TEXT NOT NULL, dossier_code TEXT NOT NULL,
            body TEXT NOT NULL, created_at REAL NOT NULL, next_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
            sent_at REAL, rejected_at REAL, last_error TEXT
        );
        CREATE INDEX portal_outbox_due ON portal_outbox(sent_at, rejected_at, next_at)""")
def _appointments(db: sqlite_utils.Database) -> None:
    """Issue #12: bookings of a slot (phone page, counter), their settings and per-service capacity.

    `slot_start` is the slot's epoch time; the seats a slot holds are counted from
    `appointments_slot` inside the booking's own BEGIN IMMEDIATE transaction, so two bookings cannot
    both take the last seat. Only the SHA-256 of the cancel/move link's secret is kept."""
    _run(db, """
        CREATE TABLE appointments (
            id INTEGER PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id), code TEXT NOT NULL UNIQUE,
            manage_hash TEXT NOT NULL UNIQUE, service TEXT NOT NULL, procedure_id TEXT, day TEXT NOT NULL,
            slot_start REAL NOT NULL, slot_end REAL NOT NULL, name TEXT NOT NULL, phone TEXT NOT NULL,
            email TEXT, cccd TEXT, status TEXT NOT NULL, source TEXT NOT NULL, created_at REAL NOT NULL,
            updated_at REAL NOT NULL, reminded_at REAL, checked_in_at REAL, ticket_id INTEGER
        );
        CREATE INDEX appointments_slot ON appointments(site_id, service, day, slot_start)
            WHERE status IN ('booked', 'checked_in');
        CREATE INDEX appointments_phone ON appointments(site_id, day, phone);
        CREATE INDEX appointments_cccd ON appointments(site_id, day, cccd) WHERE cccd IS NOT NULL;
        CREATE INDEX appointments_ticket ON appointments(ticket_id) WHERE ticket_id IS NOT NULL;
        CREATE INDEX appointments_due ON appointments(site_id, day) WHERE status = 'checked_in';
        CREATE TABLE appointment_settings (site_id TEXT PRIMARY KEY REFERENCES sites(id), config TEXT NOT NULL);
        CREATE TABLE appointment_capacity (
            site_id TEXT NOT NULL REFERENCES sites(id), service TEXT NOT NULL, seats INTEGER NOT NULL,
            PRIMARY KEY (site_id, service)
        )""")
def _lookup_secret(db: sqlite_utils.Database) -> None:
    """The secret public dossier lookup keys are derived from (hub.ops.links), made once per database."""
    import secrets

    db.conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES('lookup_secret', ?)", [secrets.token_hex(32)])


def _site_ticket_hours(db: sqlite_utils.Database) -> None:
    """When kiosks give tickets (site file `site.ticket_hours`, hub.domain.queue.TicketHours); NULL: always."""
    db.conn.execute("ALTER TABLE sites ADD COLUMN ticket_hours TEXT")


def _hub_id(db: sqlite_utils.Database) -> None:
    """This installation's identity, pushed in every device config: a device's outbox delivers only to
    the hub it was queued for (devicekit.outbox.bind_hub), never replaying a leftover into a new hub."""
    import secrets

    db.conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES('hub_id', ?)", [secrets.token_hex(8)])
def _fleet(db: sqlite_utils.Database) -> None:
    """Issue #14: enrolment codes (only their hash), failed attempts by address (throttling), and what the
    fleet view keeps beside the registry (since when online/offline, last self-test). `status_since` is
    kept by a trigger, so whoever writes presence (the router, batched or not) keeps it right."""
    _run(db, """
        CREATE TABLE enrolments (
            device_id TEXT PRIMARY KEY REFERENCES devices(id), code_hash TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL, expires_at REAL NOT NULL, used_at REAL, used_by TEXT
        );
        CREATE TABLE enrol_failures (id INTEGER PRIMARY KEY, addr TEXT NOT NULL, at REAL NOT NULL);
        CREATE INDEX enrol_failures_addr ON enrol_failures(addr, at);
        CREATE TABLE device_fleet (
            device_id TEXT PRIMARY KEY REFERENCES devices(id), status_since REAL, address TEXT,
            selftest TEXT, selftest_at REAL
        )""")
    db.conn.execute(
        "CREATE TRIGGER devices_status_since AFTER UPDATE OF status ON devices "
        "WHEN OLD.status IS NOT NEW.status BEGIN "
        "INSERT INTO device_fleet(device_id, status_since) VALUES (NEW.id, NEW.last_seen) "
        "ON CONFLICT(device_id) DO UPDATE SET status_since = NEW.last_seen; END")
def _console(db: sqlite_utils.Database) -> None:
    """Console accounts, their server-side sessions, the append-only audit log, and each service's wait
    target (the dashboard's service level; NULL: the office's 15 minutes) (issue #11)."""
    _run(db, """
        CREATE TABLE accounts (
            username TEXT PRIMARY KEY, role TEXT NOT NULL, site_id TEXT REFERENCES sites(id), agency TEXT,
            name TEXT NOT NULL, pw_hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
            must_change INTEGER NOT NULL DEFAULT 1, failed INTEGER NOT NULL DEFAULT 0, locked_until REAL,
            created_at REAL NOT NULL, changed_at REAL NOT NULL
        );
        CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES accounts(username), csrf TEXT NOT NULL,
            created_at REAL NOT NULL, expires_at REAL NOT NULL
        );
        CREATE INDEX sessions_user ON sessions(username);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY, at REAL NOT NULL, site_id TEXT, who TEXT NOT NULL, role TEXT NOT NULL,
            via TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL DEFAULT '', before TEXT, after TEXT
        );
        CREATE INDEX audit_site_at ON audit_log(site_id, at);
        ALTER TABLE services ADD COLUMN wait_target_s REAL""")
    for trigger in ("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log BEGIN "
                    "SELECT RAISE(ABORT, 'audit_log is append-only'); END",
                    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN "
                    "SELECT RAISE(ABORT, 'audit_log is append-only'); END"):
        db.conn.execute(trigger)
def _db_identity(db: sqlite_utils.Database) -> None:
    """An identity for this database, kept also in the data directory's hub.id (hub.store.datadir): a
    foreign or emptied database is recognised instead of served."""
    db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES('db_id', ?)", [uuid.uuid4().hex])


def _signin_sessions(db: sqlite_utils.Database) -> None:
    """Sign-in tokens (only their SHA-256 is kept) and failure counters per officer, per device and per
    (officer, device), so a wrong-PIN storm from one counter locks that counter, not every officer."""
    db.execute("""CREATE TABLE officer_sessions (
        token_hash TEXT PRIMARY KEY, site_id TEXT NOT NULL, officer_id TEXT NOT NULL,
        device_id TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL)""")
    db.execute("CREATE INDEX officer_sessions_officer ON officer_sessions(site_id, officer_id)")
    db.execute("""CREATE TABLE signin_failures (
        site_id TEXT NOT NULL, scope TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0,
        lockouts INTEGER NOT NULL DEFAULT 0, locked_until REAL, PRIMARY KEY(site_id, scope))""")


def _officer_active(db: sqlite_utils.Database) -> None:
    """An administrator deactivates an officer who leaves (issue #11): kept for the books, no sign-in."""
    _run(db, "ALTER TABLE officers ADD COLUMN active INTEGER NOT NULL DEFAULT 1")


def _intake_refusals(db: sqlite_utils.Database) -> None:
    """Papers refused at the counter before any dossier exists (Phiếu từ chối tiếp nhận giải quyết hồ sơ):
    who refused, when, at which counter, for which procedure or request, whose papers and why. No dossier
    code and no register row; kept to be counted and reported, so append-only like dossier events. Both
    kinds of refusal share the sheet's number (Số N/TCHS per site and year): the partial index counts the
    agencies' refusals without reading every event."""
    _run(db, """
        CREATE TABLE intake_refusals (
            id INTEGER PRIMARY KEY AUTOINCREMENT, site_id TEXT NOT NULL REFERENCES sites(id), at REAL NOT NULL,
            officer_id TEXT, officer TEXT NOT NULL DEFAULT '', counter INTEGER, ticket_id INTEGER,
            procedure_id TEXT, procedure_name TEXT NOT NULL, applicant_name TEXT NOT NULL, reasons TEXT NOT NULL);
        CREATE INDEX intake_refusals_site_at ON intake_refusals(site_id, at);
        CREATE INDEX dossier_events_rejected ON dossier_events(site_id, at) WHERE kind = 'rejected'""")
    for op in ("UPDATE", "DELETE"):  # a trigger body has its own ';', so not through _run
        db.conn.execute(f"CREATE TRIGGER intake_refusals_no_{op.lower()} BEFORE {op} ON intake_refusals "
                        "BEGIN SELECT RAISE(ABORT, 'intake refusals are append-only'); END")


def _public_abuse(db: sqlite_utils.Database) -> None:
    """Issue #21: wrong public lookup keys per dossier code (an hour's worth), and the alerts the office
    sees and an administrator releases (a code locked for public lookup, a burst of online bookings)."""
    _run(db, """
        CREATE TABLE lookup_failures (code TEXT NOT NULL, at REAL NOT NULL);
        CREATE INDEX lookup_failures_code ON lookup_failures(code, at);
        CREATE TABLE security_alerts (
            id INTEGER PRIMARY KEY, site_id TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
            since REAL NOT NULL, at REAL NOT NULL, until REAL, count INTEGER NOT NULL DEFAULT 0,
            released_at REAL, released_by TEXT);
        CREATE INDEX security_alerts_open ON security_alerts(site_id, kind, released_at)
    """)


def _sync(db: sqlite_utils.Database) -> None:
    """A province (docs/province.md). At a centre: the sync outbox, written in the transaction of each
    change, each site's sequence and what the province acknowledged, and the capture marks (the last id of
    each append-only table already in the outbox). At the province: the centres, their sites and epochs,
    the high-water marks, every centre's rows (a copy keyed by site, kind and id) and the sync alerts."""
    _run(db, """
        CREATE TABLE sync_outbox (
            site_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
            at REAL NOT NULL, body TEXT NOT NULL, PRIMARY KEY (site_id, seq));
        CREATE TABLE sync_sites (
            site_id TEXT PRIMARY KEY, seq INTEGER NOT NULL DEFAULT 0, acked_seq INTEGER NOT NULL DEFAULT 0,
            last_ack_at REAL, refused TEXT);
        CREATE TABLE sync_marks (source TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
        CREATE TABLE sync_centres (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, code_hash TEXT, code_expires_at REAL, broker_hash TEXT,
            epoch TEXT, joined_at REAL, created_at REAL NOT NULL);
        CREATE TABLE sync_hwm (
            site_id TEXT PRIMARY KEY, centre_id TEXT NOT NULL REFERENCES sync_centres(id), epoch TEXT,
            hwm INTEGER NOT NULL DEFAULT 0, centre_seq INTEGER NOT NULL DEFAULT 0, last_contact REAL);
        CREATE TABLE sync_rows (
            site_id TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,
            epoch TEXT NOT NULL, at REAL NOT NULL, day TEXT, status TEXT, ref_at REAL, ref_no INTEGER,
            body TEXT NOT NULL, PRIMARY KEY (site_id, kind, key));
        CREATE INDEX sync_rows_kind_day ON sync_rows(kind, day, site_id, status, ref_at, ref_no);
        CREATE INDEX sync_rows_key ON sync_rows(kind, key);
        CREATE TABLE sync_alerts (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, centre_id TEXT NOT NULL,
            site_id TEXT, kind TEXT NOT NULL, message TEXT NOT NULL)""")


def _dossier_ratings(db: sqlite_utils.Database) -> None:
    """A citizen's rating of a dossier's handling on the contents of Decree 118/2025 Art. 33(1), from the
    centre's tablet or the phone page; one per dossier."""
    _run(db, """
        CREATE TABLE dossier_ratings (
            id INTEGER PRIMARY KEY AUTOINCREMENT, site_id TEXT NOT NULL, code TEXT NOT NULL UNIQUE,
            channel TEXT NOT NULL, answers TEXT NOT NULL, overall INTEGER NOT NULL, comment TEXT,
            agency TEXT, device_id TEXT, at REAL NOT NULL);
        CREATE INDEX dossier_ratings_site_at ON dossier_ratings(site_id, at)""")


def _dossier_files(db: sqlite_utils.Database) -> None:
    """Electronic copies kept with a dossier (issue #25): each scanned document (declared at intake with
    its SHA-256, then uploaded in chunks by the counter) and the signed electronic result. The bytes live
    in the database, so a file and the fact that it was received commit together and go with the
    backups; chunks wait in their own table until the file is whole. `sha256` is what the counter
    declared (a retried chunk still finds its file), `stored_sha256` that of the bytes kept (a result is
    kept as the centre signed it)."""
    _run(db, """
        CREATE TABLE dossier_files (
            id INTEGER PRIMARY KEY AUTOINCREMENT, site_id TEXT NOT NULL, code TEXT NOT NULL,
            kind TEXT NOT NULL, doc_index INTEGER, name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
            pages INTEGER NOT NULL DEFAULT 0, chunks INTEGER NOT NULL, declared_at REAL NOT NULL,
            completed_at REAL, stored_sha256 TEXT, doc_code TEXT, signed_by TEXT, data BLOB,
            UNIQUE (code, kind, sha256));
        CREATE INDEX dossier_files_site ON dossier_files(site_id, declared_at);
        CREATE INDEX dossier_files_unsigned ON dossier_files(id)
            WHERE kind = 'result' AND doc_code IS NULL AND completed_at IS NOT NULL;
        CREATE TABLE dossier_file_chunks (
            file_id INTEGER NOT NULL REFERENCES dossier_files(id), seq INTEGER NOT NULL, data BLOB NOT NULL,
            PRIMARY KEY (file_id, seq));
        CREATE TABLE dossier_reused (
            code TEXT NOT NULL, site_id TEXT NOT NULL, doc_index INTEGER NOT NULL, name TEXT NOT NULL,
            source TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (code, doc_index));
        CREATE INDEX dossier_reused_site ON dossier_reused(site_id, at);
        CREATE TABLE dossier_payments (
            code TEXT PRIMARY KEY, site_id TEXT NOT NULL, amount_vnd INTEGER NOT NULL, reference TEXT NOT NULL,
            method TEXT NOT NULL, at REAL NOT NULL, by_who TEXT NOT NULL)""")


def _sync_dossiers(db: sqlite_utils.Database) -> None:
    """Dossiers across a province (docs/province.md): the event's dossier (or ticket) beside each copied
    row, the dossiers the province holds, the events it sends down to the centre that received them, and
    the events a state machine refused (kept for a person, never dropped)."""
    _run(db, """
        ALTER TABLE sync_rows ADD COLUMN parent TEXT;
        CREATE INDEX sync_rows_parent ON sync_rows(site_id, kind, parent);
        CREATE TABLE sync_held (
            code TEXT PRIMARY KEY, site_id TEXT NOT NULL, centre_id TEXT NOT NULL, taken_at REAL NOT NULL);
        CREATE TABLE sync_down (
            centre_id TEXT NOT NULL, seq INTEGER NOT NULL, code TEXT NOT NULL, at REAL NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (centre_id, seq));
        CREATE TABLE sync_flags (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL,
            body TEXT NOT NULL)""")


def _ticket_alerts(db: sqlite_utils.Database) -> None:
    """A citizen's "text me when N are ahead" on the phone ticket page: one per ticket, sent once."""
    _run(db, """
        CREATE TABLE ticket_alerts (
            ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id), site_id TEXT NOT NULL REFERENCES sites(id),
            phone TEXT NOT NULL, ahead INTEGER NOT NULL, created_at REAL NOT NULL, sent_at REAL);
        CREATE INDEX ticket_alerts_pending ON ticket_alerts(site_id) WHERE sent_at IS NULL""")


def _issued_reports(db: sqlite_utils.Database) -> None:
    """Reports issued with a number (Số: 05/BC-…, Decree 30/2020): one series per site and year, a number
    given in the transaction that stores the report, never deleted (no gap, no reuse). `data` is the
    report as issued (its figures frozen), `pdf` the signed document, kept once made. The reports count a
    period's supplement requests, refusals and ends by event kind: an index for that."""
    _run(db, """
        CREATE TABLE issued_reports (
            site_id TEXT NOT NULL REFERENCES sites(id), year INTEGER NOT NULL, number INTEGER NOT NULL,
            symbol TEXT NOT NULL, period TEXT NOT NULL, title TEXT NOT NULL, issued_at REAL NOT NULL,
            issued_by TEXT NOT NULL, data TEXT NOT NULL, pdf BLOB,
            PRIMARY KEY (site_id, year, number));
        CREATE INDEX dossier_events_site_kind_at ON dossier_events(site_id, kind, at)""")
    db.conn.execute("CREATE TRIGGER issued_reports_no_delete BEFORE DELETE ON issued_reports "
                    "BEGIN SELECT RAISE(ABORT, 'issued reports are kept'); END")
def _retire_agency(db: sqlite_utils.Database) -> None:
    """Counters are retired, not deleted (their history stays; a retired counter leaves the lobby, the
    dashboard and the devices' choices), and an officer names the agency that seconded them (`seconded_by`:
    not `agency`, which joins with dossiers would make ambiguous)."""
    _run(db, """
        ALTER TABLE counters ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE officers ADD COLUMN seconded_by TEXT""")
def _dossier_ocr(db: sqlite_utils.Database) -> None:
    """A scan's searchable copy (a Vietnamese text layer made at the hub after the upload, hub.ops.ocr):
    the officer-signed scan stays as it came; `ocr_state` is NULL while waiting, then `done` (with the
    copy, signed by the centre) or `failed` (with the reason: the scan itself is untouched)."""
    _run(db, """
        ALTER TABLE dossier_files ADD COLUMN ocr_state TEXT;
        ALTER TABLE dossier_files ADD COLUMN ocr_note TEXT;
        ALTER TABLE dossier_files ADD COLUMN ocr_data BLOB;
        ALTER TABLE dossier_files ADD COLUMN ocr_s REAL;
        ALTER TABLE dossier_files ADD COLUMN ocr_at REAL;
        CREATE INDEX dossier_files_ocr ON dossier_files(id)
            WHERE kind = 'scan' AND ocr_state IS NULL AND completed_at IS NOT NULL""")


def _datastore_outbox(db: sqlite_utils.Database) -> None:
    """Electronic results waiting to reach the citizen's data store on the national portal (Decree
    118/2025 Art. 22; hub.ops.datastore): one row per result, keyed by its document code (the far side's
    idempotency key), written in the transaction that signs the result."""
    _run(db, """
        CREATE TABLE datastore_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT, doc_code TEXT NOT NULL UNIQUE, file_id INTEGER NOT NULL,
            site_id TEXT NOT NULL, code TEXT NOT NULL, created_at REAL NOT NULL, next_at REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, sent_at REAL, rejected_at REAL, last_error TEXT, receipt TEXT);
        CREATE INDEX datastore_outbox_due ON datastore_outbox(next_at) WHERE sent_at IS NULL AND rejected_at IS NULL;
        CREATE INDEX datastore_outbox_code ON datastore_outbox(code)""")
def _sync_route(db: sqlite_utils.Database) -> None:
    """Dossiers routed between centres (docs/province.md): where each event was appended (`origin`: the
    centre, or 'province', it came from; NULL: here), which site of a centre its held copy's events go up
    under, the centres the province relayed a dossier to, the agencies each centre's specialists serve,
    the dossier-code prefixes each centre uses (unique in the province), and the files a hub has sent up."""
    _run(db, """
        ALTER TABLE dossier_events ADD COLUMN origin TEXT;
        ALTER TABLE sync_held ADD COLUMN up_site TEXT;
        CREATE TABLE sync_copies (
            code TEXT NOT NULL, centre_id TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (code, centre_id));
        CREATE TABLE sync_agencies (
            agency TEXT NOT NULL, site_id TEXT NOT NULL, centre_id TEXT NOT NULL, PRIMARY KEY (agency, site_id));
        CREATE TABLE sync_codes (
            code TEXT PRIMARY KEY, centre_id TEXT NOT NULL, site_id TEXT NOT NULL, what TEXT NOT NULL);
        CREATE TABLE sync_files_sent (file_id INTEGER PRIMARY KEY, at REAL NOT NULL)""")


def _sync_docs(db: sqlite_utils.Database) -> None:
    """What the province publishes down besides the catalogue (docs/province.md, "Down"): its calendar,
    forms, releases, centres' site configuration and commands, numbered province-wide (`centre_id` NULL:
    for every centre); and the overview's per-site counts kept on ingest (`sync_summary`: today's tickets
    by status and votes by rating, dossiers by on-time state under day ''), so the overview reads a few
    rows per centre instead of counting the day's rows. At a centre rebuilt from the province's copy:
    the SHA-256 of each earlier receipt's lookup key (the old database's secret died with it), so a
    citizen's receipt still opens its dossier."""
    _run(db, """
        CREATE TABLE sync_docs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT NOT NULL, centre_id TEXT,
            at REAL NOT NULL, by_who TEXT NOT NULL, body TEXT NOT NULL);
        CREATE INDEX sync_docs_key ON sync_docs(kind, key);
        CREATE TABLE sync_summary (
            site_id TEXT NOT NULL, day TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
            n INTEGER NOT NULL, PRIMARY KEY (site_id, day, kind, status));
        INSERT INTO sync_summary(site_id, day, kind, status, n)
            SELECT site_id, CASE WHEN kind = 'dossier' THEN '' ELSE day END, kind, COALESCE(status, ''), COUNT(*)
            FROM sync_rows WHERE kind IN ('ticket', 'vote', 'dossier') AND (day IS NOT NULL OR kind = 'dossier')
            GROUP BY site_id, CASE WHEN kind = 'dossier' THEN '' ELSE day END, kind, COALESCE(status, '');
        CREATE TABLE dossier_key_digests (code TEXT PRIMARY KEY, sha256 TEXT NOT NULL)""")


def _sync_docs_marks(db: sqlite_utils.Database) -> None:
    """At the province, the last publication each centre's site said it applied (its hellos): what the
    province lists as applied by each centre (docs/province.md, "Down")."""
    _run(db, "ALTER TABLE sync_hwm ADD COLUMN docs_hwm INTEGER NOT NULL DEFAULT 0")


def _lobby_media(db: sqlite_utils.Database) -> None:
    """The lobby's notices and image slides, managed from the console: notices in the
    administrator's order, each shown between two site-local days (NULL: no bound), retired instead of
    deleted; images kept as their bytes in the database (as dossier files are: private with it, in its
    backups), named by their SHA-256. A site's single notice becomes its first notice; the old column is
    emptied (nothing reads it any more)."""
    _run(db, """
        CREATE TABLE lobby_notices (
            site_id TEXT NOT NULL REFERENCES sites(id), id INTEGER NOT NULL, position INTEGER NOT NULL,
            text TEXT NOT NULL, active_from TEXT, active_until TEXT, retired INTEGER NOT NULL DEFAULT 0,
            changed_at REAL NOT NULL, PRIMARY KEY (site_id, id));
        CREATE TABLE lobby_images (
            site_id TEXT NOT NULL REFERENCES sites(id), id INTEGER NOT NULL, position INTEGER NOT NULL,
            sha256 TEXT NOT NULL, mime TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
            size INTEGER NOT NULL, caption TEXT NOT NULL, retired INTEGER NOT NULL DEFAULT 0,
            changed_at REAL NOT NULL, data BLOB NOT NULL, PRIMARY KEY (site_id, id), UNIQUE (site_id, sha256));
        INSERT INTO lobby_notices(site_id, id, position, text, retired, changed_at)
            SELECT id, 1, 0, notice, 0, 0 FROM sites WHERE notice <> '';
        UPDATE sites SET notice = ''""")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1, _dossiers, _votes, _officer_signin, _dossier_vote_link, _queue_indexes, _queue_counts,
    _deferred_effects,
    _api_tokens,
    _register_books,  # fidelity
    _portal_outbox,  # fidelity
    _appointments,  # appointments
    _lookup_secret,  # dayone
    _site_ticket_hours,  # dayone
    _hub_id,  # dayone
    _fleet,  # fleet
    _console,  # console
    _db_identity,  # security
    _signin_sessions,  # security
    _officer_active,  # officer deactivation (console)
    _intake_refusals,  # refusal at intake (issue #16's gap)
    _public_abuse,  # wrong lookup keys per dossier code, alerts to the office (issue #21)
    _sync,  # province sync (issue #23)
    _dossier_ratings,  # ratings of a dossier's handling (Decree 118/2025 Art. 33)
    _dossier_files,  # digital: scans, electronic results, reused data, transfers (issue #25)
    _sync_dossiers,  # province: dossiers held at the province, events down, flagged events (issue #23)
    _ticket_alerts,  # ui: "your turn is near" SMS
    _retire_agency,  # admin: retired counters, an officer's agency (issue #26)
    _dossier_ocr,  # digital: the scans' searchable copies (issue #25)
    _datastore_outbox,  # digital: electronic results pushed to the citizen's data store (issue #25)
    _sync_route,  # route: dossiers routed between centres, files with them, unique code prefixes (#23, #25)
    _sync_docs,  # province: calendar, forms, releases, site configuration, commands down; overview summary
    _issued_reports,  # reports: numbered reports over any period (issue #26)
    _sync_docs_marks,  # province: each centre's publication mark, from its hellos
    _lobby_media,  # lobby: several notices and image slides from the console
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    return db.schema_version()


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the schema up to date; refuse a database written by a newer motcua."""
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise RuntimeError(f"database schema v{current} is newer than this motcua (v{SCHEMA_VERSION})")
    for number in range(current, SCHEMA_VERSION):
        db.begin()
        try:
            MIGRATIONS[number](db)
            db.set_schema_version(number + 1)
        except BaseException:
            db.rollback()
            raise
        db.commit()
    return SCHEMA_VERSION
