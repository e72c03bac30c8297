-- How each source was checked, and what each claim's evidence rests on.
--
-- A source says how we know it, as Wikidata's references do: `verification` is `verified` (the
-- document itself was read and the quotes confirmed in it), `secondary` (known only through
-- sources that cite it) or `unverified` (a lead nobody could confirm); null where nobody
-- recorded a check. `checked_on` is the day of that check; `archive_url` a copy of the page.
alter table sources add column verification text
    check (verification is null or verification in ('verified', 'secondary', 'unverified'));
alter table sources add column checked_on text
    check (checked_on is null or date(checked_on) = checked_on);
alter table sources add column archive_url text
    check (archive_url is null or archive_url like 'http://%' or archive_url like 'https://%');

-- The best-checked source a claim appears in: `verified`, `secondary`, `unrecorded` (only
-- sources whose check nobody recorded), `unverified` (only unverified leads) or `none` (no
-- appearance). Kept by the triggers below so that listings filter on one column: default
-- listings leave out claims resting only on unverified sources.
alter table claims add column evidence text not null default 'none'
    check (evidence in ('verified', 'secondary', 'unrecorded', 'unverified', 'none'));

-- The claims that default listings leave out: few, so the searches that read the index in
-- its own order skip them by this short list rather than by reading every match's claim.
create index claims_resting_on_unverified on claims (id) where evidence = 'unverified';

-- Track records count a claimant's predictions by status and list those falling due.
create index claims_by_claimant_kind on claims (claimant_id, kind, status, due_on, evidence);

-- The level of each claim with appearances; a claim without any has none. The triggers below
-- read it for one claim at a time (SQLite pushes `claim_id = ?` into the grouped view).
create view claim_evidence (claim_id, evidence) as
    select a.claim_id,
        case min(case s.verification when 'verified' then 1 when 'secondary' then 2
                                     when 'unverified' then 4 else 3 end)
            when 1 then 'verified' when 2 then 'secondary' when 3 then 'unrecorded'
            else 'unverified' end
    from appearances a join sources s on s.id = a.source_id
    group by a.claim_id;

update claims set evidence = coalesce(
    (select evidence from claim_evidence where claim_id = claims.id), 'none');

create trigger claims_evidence_after_appearance_insert after insert on appearances begin
    update claims set evidence = coalesce(
        (select evidence from claim_evidence where claim_id = new.claim_id), 'none')
    where id = new.claim_id;
end;

create trigger claims_evidence_after_appearance_delete after delete on appearances begin
    update claims set evidence = coalesce(
        (select evidence from claim_evidence where claim_id = old.claim_id), 'none')
    where id = old.claim_id;
end;

create trigger claims_evidence_after_appearance_update
after update of claim_id, source_id on appearances begin
    update claims set evidence = coalesce(
        (select evidence from claim_evidence where claim_id = claims.id), 'none')
    where id in (old.claim_id, new.claim_id);
end;

create trigger claims_evidence_after_source_update after update of verification on sources
when old.verification is not new.verification begin
    update claims set evidence = coalesce(
        (select evidence from claim_evidence where claim_id = claims.id), 'none')
    where id in (select claim_id from appearances where source_id = new.id);
end;

-- An import may write a source after the appearances that cite it (foreign keys are deferred).
create trigger claims_evidence_after_source_insert after insert on sources
when new.verification is not null begin
    update claims set evidence = coalesce(
        (select evidence from claim_evidence where claim_id = claims.id), 'none')
    where id in (select claim_id from appearances where source_id = new.id);
end;
