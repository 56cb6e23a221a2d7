-- A record's prompt and response text (canonical JSON), kept beside its hashed body, which holds only the text's
-- digest (contentDigest): retention can erase the text after the tenant's content period and the chain still
-- verifies. NULL for records without content, with content inline in the body (before this), or erased.
ALTER TABLE audit_entry ADD COLUMN content TEXT;
