-- Finds the stream openings (outcome STREAM_STARTED) of a writer instance at its start without reading the whole
-- table; partial, so only openings pay for it. Ended streams are told apart by audit_entry_request.
CREATE INDEX audit_entry_stream_openings ON audit_entry (instance, tenant) WHERE outcome = 'STREAM_STARTED';
