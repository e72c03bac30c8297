-- Each claim as GET /v1/claims/{id} shows it, rendered when it changes (in the transaction of
-- the write that changed it) and read back as it is: a page of claims is then one statement
-- over this table instead of five subqueries per claim, and the server sends the stored bytes
-- without parsing them. `version` is the ETag of `body`.
--
-- Filled by the server when it opens a database whose claims have no documents yet (this
-- migration's databases), and by `claimtrail reindex`.
create table claim_documents (
    claim_id text primary key references claims (id) on delete cascade,
    body text not null,
    version text not null
) strict;
