-- Full-text search. The tokens are made by claimtrail's own tokenizer (src/search), which
-- handles Chinese; FTS5 only splits them on the spaces between them. `chars` holds every CJK
-- character on its own, for one-character queries; the other columns hold words and bigrams.
--
-- The claim index is contentless (the claims table has the text) with deletes enabled, and
-- keyed by an integer docid mapped to the claim id, because FTS5 rows need integer ids and a
-- claim's rowid may change on VACUUM.
create virtual table claim_search using fts5(
    text, quote, names, chars,
    tokenize = 'unicode61 remove_diacritics 0',
    content = '', contentless_delete = 1
);

create table claim_search_docs (
    docid integer primary key,
    claim_id text not null unique references claims (id) on delete cascade
) strict;

create virtual table claimant_search using fts5(
    claimant_id unindexed, names, chars,
    tokenize = 'unicode61 remove_diacritics 0'
);

create virtual table source_search using fts5(
    source_id unindexed, title, publisher, chars,
    tokenize = 'unicode61 remove_diacritics 0'
);
