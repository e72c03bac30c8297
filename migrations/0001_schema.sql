-- The claims record. Every table is STRICT so a value of the wrong type is an error, not a
-- silent conversion; CHECK constraints repeat the domain's rules so that no code path (the
-- bundled dataset, a later import, a hand-edited file) can store what the API would refuse.
-- Slugs are lowercase ASCII words joined by single hyphens.

create table claimants (
    id text primary key
        check (length(id) between 1 and 100 and id not glob '*[^a-z0-9-]*'
               and id not like '-%' and id not like '%-' and id not like '%--%'),
    kind text not null check (kind in ('person', 'organization')),
    -- Display names keyed by BCP 47 language tag, e.g. {"en": "Elon Musk", "zh-CN": "埃隆·马斯克"}.
    names text not null check (json_valid(names) and json_type(names) = 'object'),
    wikidata_id text check (wikidata_id glob 'Q[1-9]*' and substr(wikidata_id, 2) not glob '*[^0-9]*'),
    description text,
    created_at text not null,
    updated_at text not null
) strict;

-- Aliases are a table, not a JSON column, because `claimant=马斯克` looks them up by value.
create table claimant_aliases (
    claimant_id text not null references claimants (id) on delete cascade,
    alias text not null collate nocase check (length(trim(alias)) > 0),
    lang text,
    primary key (claimant_id, alias)
) strict, without rowid;
create index claimant_aliases_by_alias on claimant_aliases (alias);

create table claimant_affiliations (
    claimant_id text not null references claimants (id) on delete cascade,
    position integer not null check (position >= 0),
    organization text not null,
    -- Set when the organization is itself a claimant in the record.
    organization_id text references claimants (id),
    role text not null,
    since text check (since is null or date(since) = since),
    until text check (until is null or date(until) = until),
    primary key (claimant_id, position)
) strict, without rowid;

create table sources (
    id text primary key
        check (length(id) between 1 and 100 and id not glob '*[^a-z0-9-]*'
               and id not like '-%' and id not like '%-' and id not like '%--%'),
    kind text not null check (kind in ('podcast', 'article', 'report', 'interview', 'statement',
                                        'letter', 'blog_post', 'social_post')),
    title text,
    publisher text not null,
    url text check (url is null or url like 'http://%' or url like 'https://%'),
    published_on text check (published_on is null or date(published_on) = published_on),
    published_precision text check (published_precision in ('day', 'month', 'year')),
    -- The exact moment, when the source states it (RFC 3339, UTC).
    published_at text,
    language text not null,
    note text,
    created_at text not null,
    updated_at text not null,
    check ((published_on is null) = (published_precision is null)),
    check (published_at is null or published_on is not null)
) strict;
create index sources_by_published_on on sources (published_on, id);

create table source_authors (
    source_id text not null references sources (id) on delete cascade,
    position integer not null check (position >= 0),
    name text not null,
    primary key (source_id, position)
) strict, without rowid;

-- "A cites B": the chain podcast -> Business Insider -> 参考消息 -> repost.
create table source_citations (
    source_id text not null references sources (id) on delete cascade,
    cited_id text not null references sources (id) on delete cascade,
    primary key (source_id, cited_id),
    check (source_id <> cited_id)
) strict, without rowid;
create index source_citations_by_cited on source_citations (cited_id, source_id);

create table topics (
    id text primary key
        check (length(id) between 1 and 100 and id not glob '*[^a-z0-9-]*'
               and id not like '-%' and id not like '%-' and id not like '%--%'),
    names text not null check (json_valid(names) and json_type(names) = 'object'),
    description text,
    created_at text not null,
    updated_at text not null
) strict;

create table indicators (
    id text primary key
        check (length(id) between 1 and 100 and id not glob '*[^a-z0-9-]*'
               and id not like '-%' and id not like '%-' and id not like '%--%'),
    names text not null check (json_valid(names) and json_type(names) = 'object'),
    dimension text not null check (dimension in ('power', 'energy', 'ratio', 'percent', 'money')),
    description text,
    created_at text not null,
    updated_at text not null
) strict;

create table claims (
    id text primary key
        check (length(id) between 1 and 100 and id not glob '*[^a-z0-9-]*'
               and id not like '-%' and id not like '%-' and id not like '%--%'),
    claimant_id text not null references claimants (id),
    kind text not null
        check (kind in ('prediction', 'estimate', 'assertion', 'opinion', 'recommendation')),
    stated_on text not null check (date(stated_on) = stated_on),
    stated_precision text not null check (stated_precision in ('day', 'month', 'year')),
    claimant_role text,
    -- A forecast's horizon: the date by which it should have come true.
    due_on text check (due_on is null or date(due_on) = due_on),
    due_precision text check (due_precision in ('day', 'month', 'year')),
    -- Derived from the latest assessment by the triggers below; stored so that it can be indexed.
    status text not null default 'pending'
        check (status in ('pending', 'correct', 'incorrect', 'partly_correct', 'unresolvable',
                          'not_applicable')),
    -- UNIQUE makes a revision chain a chain: no claim is revised twice (no forks).
    supersedes text unique references claims (id),
    -- The source where the claimant first made the claim (a podcast, a research note), which
    -- need not be a document anyone can quote from.
    origin_source_id text references sources (id),
    note text,
    created_at text not null,
    updated_at text not null,
    check ((due_on is null) = (due_precision is null)),
    check (supersedes is null or supersedes <> id)
) strict;
create index claims_by_stated_on on claims (stated_on, id);
create index claims_by_updated_at on claims (updated_at, id);
create index claims_by_claimant on claims (claimant_id, stated_on, id);
create index claims_by_kind on claims (kind, stated_on, id);
create index claims_by_status on claims (status, stated_on, id);
create index claims_by_due_on on claims (due_on) where due_on is not null;
create index claims_by_origin on claims (origin_source_id) where origin_source_id is not null;

-- Canonical wording of a claim, one row per language.
create table claim_texts (
    claim_id text not null references claims (id) on delete cascade,
    lang text not null,
    text text not null check (length(trim(text)) > 0),
    primary key (claim_id, lang)
) strict, without rowid;
create index claim_texts_by_lang on claim_texts (lang, claim_id);

create table claim_topics (
    claim_id text not null references claims (id) on delete cascade,
    topic_id text not null references topics (id),
    primary key (claim_id, topic_id)
) strict, without rowid;
create index claim_topics_by_topic on claim_topics (topic_id, claim_id);

create table quantities (
    claim_id text not null references claims (id) on delete cascade,
    position integer not null check (position >= 0),
    indicator_id text not null references indicators (id),
    -- ISO 3166-1 alpha-2, or WORLD.
    subject text not null check (subject = 'WORLD' or (length(subject) = 2 and subject not glob '*[^A-Z]*')),
    comparison_subject text
        check (comparison_subject is null or comparison_subject = 'WORLD'
               or (length(comparison_subject) = 2 and comparison_subject not glob '*[^A-Z]*')),
    value real not null,
    lower real,
    upper real,
    unit text not null,
    qualifier text not null default 'exactly'
        check (qualifier in ('about', 'more_than', 'less_than', 'up_to', 'at_least', 'exactly')),
    period text,
    label text,
    -- The same figures in the indicator's SI unit (W, Wh, a plain ratio, percent, USD).
    value_si real not null,
    lower_si real,
    upper_si real,
    si_unit text not null,
    primary key (claim_id, position),
    check (lower is null or lower <= value),
    check (upper is null or upper >= value),
    check ((lower is null) = (lower_si is null) and (upper is null) = (upper_si is null))
) strict, without rowid;
create index quantities_by_indicator on quantities (indicator_id, subject, value_si);

create table appearances (
    id text primary key
        check (length(id) between 1 and 100 and id not glob '*[^a-z0-9-]*'
               and id not like '-%' and id not like '%-' and id not like '%--%'),
    claim_id text not null references claims (id) on delete cascade,
    source_id text not null references sources (id),
    -- The words exactly as the source printed them; null when the dossier did not record them.
    quote text check (quote is null or length(trim(quote)) > 0),
    lang text not null,
    kind text check (kind in ('verbatim', 'paraphrase', 'translation')),
    translation_of text references appearances (id),
    fidelity text check (fidelity in ('faithful', 'reworded', 'mistranslated', 'hardened')),
    note text,
    locator text,
    first_appearance integer not null default 0 check (first_appearance in (0, 1)),
    created_at text not null,
    updated_at text not null,
    check (kind is not null or quote is null),
    check (translation_of is null or translation_of <> id)
) strict;
create index appearances_by_claim on appearances (claim_id, lang);
create index appearances_by_source on appearances (source_id, claim_id);
create index appearances_by_lang on appearances (lang, claim_id);
create unique index appearances_one_first on appearances (claim_id) where first_appearance = 1;

create table assessments (
    id text primary key
        check (length(id) between 1 and 100 and id not glob '*[^a-z0-9-]*'
               and id not like '-%' and id not like '%-' and id not like '%--%'),
    claim_id text not null references claims (id) on delete cascade,
    verdict text not null
        check (verdict in ('pending', 'correct', 'incorrect', 'partly_correct', 'unresolvable',
                           'not_applicable')),
    summary text not null,
    -- [{"description": "...", "url": "https://...", "source_id": "..."}]
    evidence text not null default '[]' check (json_valid(evidence) and json_type(evidence) = 'array'),
    assessed_on text not null check (date(assessed_on) = assessed_on),
    assessor text not null,
    created_at text not null,
    updated_at text not null
) strict;
create index assessments_by_claim on assessments (claim_id, assessed_on, created_at, id);

-- A claim's status is its latest assessment's verdict, or pending when it has none.
create trigger assessments_status_after_insert after insert on assessments begin
    update claims set status = coalesce(
        (select verdict from assessments where claim_id = new.claim_id
         order by assessed_on desc, created_at desc, id desc limit 1), 'pending')
    where id = new.claim_id;
end;
create trigger assessments_status_after_update after update on assessments begin
    update claims set status = coalesce(
        (select verdict from assessments where claim_id = old.claim_id
         order by assessed_on desc, created_at desc, id desc limit 1), 'pending')
    where id = old.claim_id;
    update claims set status = coalesce(
        (select verdict from assessments where claim_id = new.claim_id
         order by assessed_on desc, created_at desc, id desc limit 1), 'pending')
    where id = new.claim_id;
end;
create trigger assessments_status_after_delete after delete on assessments begin
    update claims set status = coalesce(
        (select verdict from assessments where claim_id = old.claim_id
         order by assessed_on desc, created_at desc, id desc limit 1), 'pending')
    where id = old.claim_id;
end;
