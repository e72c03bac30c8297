-- `claimant=` also matches a claimant by a name in any language. Read out of the `names` JSON,
-- that read every claimant's names on every such request (half the time of a page of claims
-- by claimant). This table holds each name once, indexed case-insensitively, and triggers keep
-- it in step with `claimants.names`; a claimant's deletion cascades.
create table claimant_names (
    claimant_id text not null references claimants (id) on delete cascade,
    lang text not null,
    name text not null collate nocase,
    primary key (claimant_id, lang)
) strict;
create index claimant_names_by_name on claimant_names (name);

insert into claimant_names (claimant_id, lang, name)
    select c.id, n.key, n.value from claimants c, json_each(c.names) n;

create trigger claimant_names_on_insert after insert on claimants begin
    delete from claimant_names where claimant_id = new.id;
    insert into claimant_names (claimant_id, lang, name)
        select new.id, key, value from json_each(new.names);
end;

create trigger claimant_names_on_update after update of names on claimants begin
    delete from claimant_names where claimant_id = old.id;
    insert into claimant_names (claimant_id, lang, name)
        select new.id, key, value from json_each(new.names);
end;
