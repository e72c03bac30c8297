-- Claimant and source search entries are found by docid, as claim entries are, rather than by
-- their unindexed id column: deleting `where source_id = ?` read the whole FTS table, one
-- second per source at 250,000 sources. Existing entries keep their rowids as docids.

create table claimant_search_docs (
    docid integer primary key,
    claimant_id text not null unique
) strict;
insert into claimant_search_docs (docid, claimant_id)
    select rowid, claimant_id from claimant_search;

create table source_search_docs (
    docid integer primary key,
    source_id text not null unique
) strict;
insert into source_search_docs (docid, source_id)
    select rowid, source_id from source_search;
