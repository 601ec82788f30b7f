-- The trainer's grid (store::classes::seat_facts) reads, for each seat, its
-- office's sessions, logins, terminals and audit events. Without these
-- indexes each of those reads scanned its whole table, once a seat: a grid
-- of 500 seats took over half a second, read again every 250 ms for each
-- open trainer page, and it grew with every office's audit trail.
CREATE INDEX sessions_office ON sessions(office_id);
CREATE INDEX login_challenges_office ON login_challenges(office_id);
CREATE INDEX terminals_office ON terminals(office_id);
CREATE INDEX audit_events_office_at ON audit_events(office_id, at);
