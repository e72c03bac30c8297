-- Curation: API tokens, the history of every write, and stored answers to idempotent POSTs.

-- A token is shown once as `ct_<id>_<secret>`; only the SHA-256 of the secret is kept. The
-- secret is 256 random bits, so a fast hash suffices: there is nothing to brute-force.
create table tokens (
    id text primary key check (length(id) = 16 and id not glob '*[^0-9a-f]*'),
    name text not null check (length(trim(name)) > 0),
    scope text not null check (scope in ('read', 'write', 'admin')),
    secret_sha256 text not null check (length(secret_sha256) = 64),
    created_at text not null,
    revoked_at text
) strict;

create table history (
    seq integer primary key,
    resource text not null
        check (resource in ('claim', 'appearance', 'assessment', 'claimant', 'source', 'topic',
                            'indicator')),
    resource_id text not null,
    -- The claim the record belongs to: an appearance's or assessment's history is the claim's.
    -- Null for claimants, sources, topics and indicators.
    claim_id text,
    action text not null check (action in ('create', 'update', 'delete')),
    token_id text references tokens (id),
    at text not null,
    -- RFC 6902 JSON Patch from the state before to the state after.
    diff text not null check (json_valid(diff) and json_type(diff) = 'array')
) strict;
create index history_by_claim on history (claim_id, seq) where claim_id is not null;
create index history_by_resource on history (resource, resource_id, seq);

create table idempotency_keys (
    token_id text not null references tokens (id),
    key text not null check (length(key) between 1 and 255),
    -- SHA-256 of method, path and body: the same key with another request is refused.
    request_sha256 text not null,
    status integer not null,
    body text not null,
    created_at text not null,
    primary key (token_id, key)
) strict, without rowid;
