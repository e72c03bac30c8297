-- A revision chain never loops back on itself. UNIQUE(supersedes) already rules out forks;
-- this rules out cycles, for every writer: a claim may not supersede one of its own
-- successors. A new claim cannot close a loop (nothing refers to it yet), so only updates are
-- checked.
create trigger claims_no_revision_cycle before update of supersedes on claims
when new.supersedes is not null
begin
    select raise(abort, 'revision cycle: a claim cannot supersede one of its own successors')
    where exists (
        with recursive ancestors(id, depth) as (
            select new.supersedes, 0
            union
            select c.supersedes, a.depth + 1 from claims c join ancestors a on c.id = a.id
            where c.supersedes is not null and a.depth < 100000
        )
        select 1 from ancestors where id = new.id
    );
end;
