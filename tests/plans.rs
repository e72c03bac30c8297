//! Query plans of every list and search shape, on a generated database of
//! `CLAIMTRAIL_PLAN_CLAIMS` claims (20,000 unless set; CI sets a million). Plans, not times:
//! each shape must reach its rows through an index, never by reading every claim, and a page
//! in an order an index has must not be sorted in a temporary B-tree.

use claimtrail::domain::{ClaimFilter, ClaimSort};
use claimtrail::domain::{ClaimKind, LanguageTag, Measure};
use claimtrail::search::SearchQuery;
use claimtrail::store::claims::explain_list;
use claimtrail::store::{Keyset, PageRequest, Store, generate, track_record};

fn plan_claims() -> u64 {
    std::env::var("CLAIMTRAIL_PLAN_CLAIMS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000)
}

fn search(q: &str) -> ClaimFilter {
    ClaimFilter {
        search: Some(SearchQuery::parse(q).unwrap()),
        ..ClaimFilter::default()
    }
}

/// Whether a plan step walks a table or an index from end to end. Only an unfiltered list
/// may, since it walks in the page's order and stops at the page's end; a filtered one may pass
/// a million rows before it fills a page. Scans of the FTS5 index are lookups by term, `p`
/// is the page's ids (at most `limit` + 1 rows), whose claims are then read by id, and `hits`
/// (`h`) a search's matches with their ranks. The partial index `claims_resting_on_unverified`
/// holds only the claims listings leave out, which searches skip by that short list.
fn scans(step: &str) -> bool {
    let step = step.trim();
    step.starts_with("SCAN ")
        && !step.contains("VIRTUAL TABLE")
        && !step.starts_with("SCAN (subquery")
        && !step.ends_with("USING COVERING INDEX claims_resting_on_unverified")
        && !["SCAN p", "SCAN h", "SCAN hits"].contains(&step)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_list_and_search_shape_is_answered_from_an_index() {
    let claims = plan_claims();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("plans.db"), 2, None)
        .await
        .unwrap();
    generate::generate(&store, claims, 1, |_| {}).await.unwrap();

    let first = PageRequest {
        limit: 20,
        after: None,
    };
    // A page half way down the list, as a cursor would ask for it.
    let deep = PageRequest {
        limit: 20,
        after: Some(Keyset {
            rank: None,
            key: Some("2020-06-15".into()),
            id: format!("gen-{}", claims / 2),
            position: None,
        }),
    };
    let by_claimant = ClaimFilter {
        claimants: vec!["gen-claimant-3".into()],
        ..ClaimFilter::default()
    };
    // A third of one indicator's figures (about 2% of claims) and about one in a thousand of
    // them (0.01%): the first walks claims by date, the second reads the figures' claims.
    let by_wide_range = ClaimFilter {
        indicators: vec!["spare-power-capacity".into()],
        value_min: Some(Measure::parse("100GW").unwrap()),
        value_max: Some(Measure::parse("300GW").unwrap()),
        ..ClaimFilter::default()
    };
    let by_narrow_range = ClaimFilter {
        value_min: Some(Measure::parse("100GW").unwrap()),
        value_max: Some(Measure::parse("100.5GW").unwrap()),
        ..by_wide_range.clone()
    };
    let by_kind = ClaimFilter {
        kinds: vec![ClaimKind::Prediction],
        ..ClaimFilter::default()
    };
    let by_lang = ClaimFilter {
        langs: vec![LanguageTag::parse("zh-TW").unwrap()],
        ..ClaimFilter::default()
    };
    let by_topic = ClaimFilter {
        topics: vec!["chips".into()],
        ..ClaimFilter::default()
    };
    // (shape, filter, sort, page, whether its order comes from an index)
    let shapes: Vec<(&str, ClaimFilter, ClaimSort, &PageRequest, bool)> = vec![
        (
            "list",
            ClaimFilter::default(),
            ClaimSort::StatedOnDesc,
            &first,
            true,
        ),
        (
            "list, deep page",
            ClaimFilter::default(),
            ClaimSort::StatedOnDesc,
            &deep,
            true,
        ),
        (
            "list by update",
            ClaimFilter::default(),
            ClaimSort::UpdatedAtAsc,
            &first,
            true,
        ),
        // A claimant is named by id, alias or name: the ids come from a union, so its claims
        // (ids and dates only) are sorted rather than walked in order.
        (
            "by claimant",
            by_claimant.clone(),
            ClaimSort::StatedOnDesc,
            &first,
            false,
        ),
        (
            "by claimant, deep page",
            by_claimant,
            ClaimSort::StatedOnDesc,
            &deep,
            false,
        ),
        ("by kind", by_kind, ClaimSort::StatedOnDesc, &first, true),
        (
            "by quantity, wide range",
            by_wide_range.clone(),
            ClaimSort::StatedOnDesc,
            &first,
            true,
        ),
        (
            "by quantity, wide range, deep page",
            by_wide_range,
            ClaimSort::StatedOnDesc,
            &deep,
            true,
        ),
        (
            "by quantity, narrow range",
            by_narrow_range,
            ClaimSort::StatedOnDesc,
            &first,
            false,
        ),
        (
            "by language",
            by_lang,
            ClaimSort::StatedOnDesc,
            &first,
            false,
        ),
        ("by topic", by_topic, ClaimSort::StatedOnDesc, &first, false),
        ("电网", search("电网"), ClaimSort::Relevance, &first, false),
        (
            "电网 by date",
            search("电网"),
            ClaimSort::StatedOnDesc,
            &first,
            false,
        ),
        (
            "two English words",
            search("transformer shortage"),
            ClaimSort::Relevance,
            &first,
            false,
        ),
        (
            "电力 (10%)",
            search("电力"),
            ClaimSort::Relevance,
            &first,
            false,
        ),
    ];
    for (shape, filter, sort, page, ordered) in &shapes {
        let plan = explain_list(&store, filter, *sort, page).await.unwrap();
        let text = plan.join("\n");
        println!("{shape}:\n{text}\n");
        // A wide figure range walks claims in the page's order: about one claim in fifty has a
        // figure in it, so the page is full after a few thousand.
        let walks_in_order = shape.starts_with("list") || shape.contains("wide range");
        assert!(
            walks_in_order || !plan.iter().any(|s| scans(s)),
            "{shape} walks a whole table or index:\n{text}"
        );
        if shape.contains("wide range") {
            assert!(
                plan.iter().any(|s| s
                    .trim()
                    .ends_with("c USING COVERING INDEX claims_by_stated_on")
                    || s.contains("c USING COVERING INDEX claims_by_stated_on (")),
                "{shape} does not walk claims by date:\n{text}"
            );
        }
        assert!(!text.contains("LIKE"), "{shape}:\n{text}");
        // The page's ids are the co-routine `p`, read before `SCAN p`; the page itself (at most
        // limit + 1 claims) is sorted once more at the end.
        let ids_part = plan.iter().take_while(|s| s.trim() != "SCAN p");
        if *ordered {
            assert!(
                !ids_part.clone().any(|s| s.contains("TEMP B-TREE")),
                "{shape} sorts its rows instead of walking an index:\n{text}"
            );
        }
        if shape.starts_with("by quantity") {
            assert!(
                text.contains("value_si>?") && text.contains("value_si<?"),
                "{shape} does not read a range of the figure index:\n{text}"
            );
        }
        if filter.search.is_some() {
            // FTS5 writes an M in its index string for a MATCH constraint.
            assert!(
                plan.iter()
                    .any(|s| s.contains("VIRTUAL TABLE INDEX") && s.contains(":M")),
                "{shape} does not use the search index:\n{text}"
            );
        }
        if filter.search.is_some() && *sort == ClaimSort::StatedOnDesc {
            // FTS5's index number 192 is "ordered by rowid, descending" (FTS5_BI_ORDER_ROWID |
            // FTS5_BI_ORDER_DESC): the newest matches are read first, and only a page of them.
            assert!(
                plan.iter().any(|s| s.contains("VIRTUAL TABLE INDEX 192:M")),
                "{shape} does not read the search index newest first:\n{text}"
            );
        }
    }

    // A track record reads one claimant's claims by index, whatever the size of the record:
    // each of its seven statements.
    let statements = track_record::explain(&store, "gen-claimant-3")
        .await
        .unwrap();
    assert_eq!(statements.len(), 7);
    for (statement, plan) in statements {
        let text = plan.join("\n");
        println!("track record, {statement}:\n{text}\n");
        assert!(
            !plan.iter().any(|s| scans(s)),
            "track record, {statement}, walks a whole table or index:\n{text}"
        );
        assert!(
            plan.iter().any(|s| s.contains("INDEX claims_by_claimant")),
            "track record, {statement}, does not start from the claimant's claims:\n{text}"
        );
    }

    // The 2-character term is found where the generator put it, and only there.
    let page = claimtrail::store::claims::list(
        &store,
        &search("电网"),
        ClaimSort::Relevance,
        &PageRequest {
            limit: 100,
            after: None,
        },
        true,
        Default::default(),
    )
    .await
    .unwrap();
    // Claims 7, 1007, 2007 … carry it.
    assert_eq!(page.total, Some(((claims + 992) / 1000) as i64));
    store.close().await;
}
