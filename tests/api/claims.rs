use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use crate::support::{MUSK, enc, ids_of, spawn_app};

fn set(ids: impl IntoIterator<Item = impl Into<String>>) -> BTreeSet<String> {
    ids.into_iter().map(Into::into).collect()
}

#[tokio::test]
async fn claims_of_goldman_sachs_are_its_own() {
    let app = spawn_app().await;
    let body = app.get_json("/v1/claims?claimant=goldman-sachs").await;
    let ids = ids_of(&body);
    assert_eq!(
        set(&ids),
        set([
            "goldman-china-400gw-spare-capacity-2030",
            "goldman-china-spare-capacity-sufficient",
            "goldman-power-supply-key-factor",
            "goldman-us-spare-capacity-falls-by-2030",
            "goldman-not-adding-enough-capacity",
        ])
    );
    for claim in body["data"].as_array().unwrap() {
        assert_eq!(claim["claimant"]["id"], "goldman-sachs");
        assert_eq!(claim["claimant"]["name"], "Goldman Sachs");
    }
    let spare = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "goldman-china-400gw-spare-capacity-2030")
        .unwrap();
    assert_eq!(spare["stated_on"], "2025-11-13");
    assert_eq!(
        spare["text"]["zh-CN"],
        "到2030年,中国可能拥有约400吉瓦的备用电力容量,这是全球数据中心电力需求总量的3倍多。"
    );
    let capacity = &spare["quantities"][0];
    assert_eq!(
        (
            capacity["indicator"].as_str(),
            capacity["value"].as_f64(),
            capacity["unit"].as_str()
        ),
        (Some("spare-power-capacity"), Some(400.0), Some("GW"))
    );
    assert_eq!(capacity["value_si"].as_f64(), Some(4e11));
    assert_eq!(capacity["qualifier"], "about");
    assert_eq!(spare["horizon"]["due_on"], "2030-12-31");
}

#[tokio::test]
async fn a_claimant_can_be_named_by_alias_or_name_in_any_script() {
    let app = spawn_app().await;
    for name in [
        "elon-musk",
        "马斯克",
        "馬斯克",
        "埃隆·马斯克",
        "Elon Musk",
        "elon musk",
    ] {
        let ids = app.ids(&format!("/v1/claims?claimant={}", enc(name))).await;
        assert_eq!(set(&ids), set(MUSK), "claimant={name}");
    }
    let huang = app
        .ids(&format!("/v1/claims?claimant={}", enc("黃仁勳")))
        .await;
    assert_eq!(huang.len(), 3);
    assert!(app.ids("/v1/claims?claimant=nobody").await.is_empty());
    let either = app
        .ids(&format!(
            "/v1/claims?claimant={}&claimant=openai",
            enc("高盛")
        ))
        .await;
    assert_eq!(either.len(), 5 + 5, "repeated parameters are OR");
}

#[tokio::test]
async fn musks_compute_claim_appears_in_every_language_the_dossier_records() {
    let app = spawn_app().await;
    let body = app
        .get_json("/v1/claims/musk-china-ai-compute/appearances")
        .await;
    let appearances = body["data"].as_array().unwrap();
    let langs: BTreeSet<&str> = appearances
        .iter()
        .map(|a| a["lang"].as_str().unwrap())
        .collect();
    assert_eq!(langs, BTreeSet::from(["en", "zh-CN", "zh-TW"]));

    let first = &appearances[0];
    assert_eq!(first["first_appearance"], true);
    assert_eq!(
        first["source_id"],
        "businessinsider-2026-01-07-musk-ai-compute"
    );
    assert_eq!(
        first["quote"],
        "China's going to have more power than anyone else and probably will have more chips."
    );

    let by_id = |id: &str| appearances.iter().find(|a| a["id"] == id).cloned().unwrap();
    let meiguo = by_id("musk-ai-compute-meiguo");
    assert_eq!(meiguo["quote"], "中国的算力将比任何国家都更强大");
    assert_eq!(meiguo["fidelity"], "mistranslated");
    assert!(meiguo["note"].as_str().unwrap().contains("算力"));
    let ckhq = by_id("musk-ai-compute-ckhq");
    assert!(ckhq["note"].as_str().unwrap().contains("参考消息"));
    assert_eq!(ckhq["fidelity"], "mistranslated");
    let seed = by_id("musk-ai-compute-seed-trends");
    assert_eq!(
        seed["quote"],
        "按照当前的发展趋势,中国在AI算力方面将远超世界其他国家。"
    );
    assert_eq!(seed["fidelity"], "faithful");
    assert_eq!(by_id("musk-ai-compute-worldjournal")["lang"], "zh-TW");
}

#[tokio::test]
async fn the_3x_forecast_records_every_drift_of_its_wording() {
    let app = spawn_app().await;
    let claim = app
        .get_json("/v1/claims/musk-china-3x-us-generation-by-2026")
        .await;
    assert_eq!(claim["kind"], "prediction");
    assert_eq!(
        claim["horizon"],
        serde_json::json!({"due_on": "2026-12-31", "precision": "year"})
    );
    assert!(
        claim["note"]
            .as_str()
            .unwrap()
            .contains("no verbatim sentence")
    );
    let ratio = &claim["quantities"][0];
    assert_eq!(ratio["comparison_subject"], "US");
    assert_eq!(ratio["unit"], "x");

    let body = app
        .get_json("/v1/claims/musk-china-3x-us-generation-by-2026/appearances")
        .await;
    let fidelity: Vec<(&str, &str)> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["quote"].as_str().unwrap(),
                a["fidelity"].as_str().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("nearly three times", "reworded"),
        ("近3倍", "reworded"),
        ("3倍", "reworded"),
        (
            "By 2026, China's electricity generation will be three times that of the U.S.",
            "hardened",
        ),
        ("到2026年,中国的发电量可能达到美国的3倍左右", "faithful"),
    ] {
        assert!(
            fidelity.contains(&expected),
            "missing {expected:?} in {fidelity:?}"
        );
    }
}

#[tokio::test]
async fn the_morgan_stanley_chain_is_whole_from_any_member() {
    let app = spawn_app().await;
    // The 55 GW lead is unverified: it is kept out of the chain until it is verified.
    let chain = [
        "morgan-stanley-us-shortfall-36gw",
        "morgan-stanley-us-shortfall-44gw",
        "morgan-stanley-us-shortfall-47gw",
    ];
    for member in chain {
        let body = app
            .get_json(&format!("/v1/claims/{member}/revisions"))
            .await;
        let steps = body["data"].as_array().unwrap();
        let ids: Vec<&str> = steps
            .iter()
            .map(|s| s["claim"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, chain, "from {member}");
        let moves: Vec<(f64, f64, f64)> = steps[1..]
            .iter()
            .map(|s| {
                let c = &s["changes"][0];
                (
                    c["from"].as_f64().unwrap(),
                    c["to"].as_f64().unwrap(),
                    c["absolute"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(moves, [(36.0, 44.0, 8.0), (44.0, 47.0, 3.0)]);
        assert!(steps[0]["changes"].as_array().unwrap().is_empty());
    }
    let middle = app
        .get_json("/v1/claims/morgan-stanley-us-shortfall-47gw")
        .await;
    assert_eq!(middle["supersedes"], "morgan-stanley-us-shortfall-44gw");
    assert_eq!(middle["superseded_by"], Value::Null);
    let lead = app
        .get_json("/v1/claims/morgan-stanley-us-shortfall-55gw/revisions")
        .await;
    assert_eq!(lead["data"].as_array().unwrap().len(), 1);

    let single = app
        .get_json("/v1/claims/huang-power-is-free/revisions")
        .await;
    assert_eq!(single["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn filters_combine_with_and() {
    let app = spawn_app().await;
    let current = app
        .ids("/v1/claims?claimant=morgan-stanley&current=true")
        .await;
    assert_eq!(current, ["morgan-stanley-us-shortfall-47gw"]);
    let revised = app.ids("/v1/claims?current=false").await;
    assert_eq!(
        revised,
        [
            "morgan-stanley-us-shortfall-44gw",
            "morgan-stanley-us-shortfall-36gw"
        ]
    );

    let due_2026 = app
        .ids("/v1/claims?kind=prediction&status=pending&due_after=2025-12-31&due_before=2027-01-01")
        .await;
    assert_eq!(due_2026, ["musk-china-3x-us-generation-by-2026"]);

    let taiwan = set(app.ids("/v1/claims?lang=zh-TW&limit=100").await);
    assert!(taiwan.contains("huang-china-will-win-ai-race"));
    assert!(
        taiwan.contains("musk-china-3x-us-generation-by-2026"),
        "UDN printed 3倍"
    );
    assert!(!taiwan.contains("goldman-china-spare-capacity-sufficient"));
    let chinese = set(app.ids("/v1/claims?lang=zh&limit=100").await);
    assert!(chinese.is_superset(&taiwan), "zh covers zh-TW");
    assert!(
        chinese.contains("musk-underestimating-electricity"),
        "zh covers zh-HK (am730)"
    );

    let in_seed = app
        .ids("/v1/claims?source=eeff7-2026-01-10-musk-ai-compute&limit=100")
        .await;
    assert_eq!(
        in_seed.len(),
        12,
        "every claim of the seed article: {in_seed:?}"
    );
    let from_ft = set(app
        .ids("/v1/claims?source=ft-2025-11-05-huang-china-will-win")
        .await);
    assert_eq!(
        from_ft,
        set(["huang-china-will-win-ai-race", "huang-power-is-free"])
    );

    let chips = set(app.ids("/v1/claims?topic=chips").await);
    assert_eq!(
        chips,
        set(["musk-china-ai-compute", "musk-china-figure-out-chips"])
    );

    let november = app
        .ids("/v1/claims?stated_since=2025-11-01&stated_until=2025-11-30&limit=100")
        .await;
    assert_eq!(november.len(), 8, "{november:?}");
    let recommendations = app
        .ids("/v1/claims?kind=recommendation&kind=estimate")
        .await;
    assert_eq!(recommendations.len(), 6, "{recommendations:?}");
}

#[tokio::test]
async fn sorts_order_by_their_key_then_id() {
    let app = spawn_app().await;
    let newest = app.get_json("/v1/claims?limit=100").await;
    let oldest = app.get_json("/v1/claims?limit=100&sort=stated_on").await;
    let key = |body: &Value| -> Vec<(String, String)> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["stated_on"].as_str().unwrap().to_owned(),
                    c["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let mut expected = key(&oldest);
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(expected, sorted);
    expected.reverse();
    assert_eq!(key(&newest), expected);
    // The newest claim, the 55 GW lead, rests on an unverified source alone: not listed. The
    // newest listed are Musk's of 2026-01-06, and of those the last by id.
    assert_eq!(newest["data"][0]["id"], "musk-underestimating-electricity");
    assert_eq!(oldest["data"][0]["id"], "morgan-stanley-us-shortfall-36gw");
    assert_eq!(
        app.ids("/v1/claims?sort=-updated_at&limit=100").await.len(),
        21
    );
    assert_eq!(
        app.ids("/v1/claims?sort=-updated_at&limit=100&evidence=any")
            .await
            .len(),
        22
    );
}

#[tokio::test]
async fn expand_embeds_related_records_instead_of_summaries() {
    let app = spawn_app().await;
    let plain = app
        .get_json("/v1/claims/huang-china-will-win-ai-race")
        .await;
    assert!(plain.get("appearances").is_none());
    assert_eq!(plain["appearance_summary"]["count"], 5);
    assert_eq!(
        plain["appearance_summary"]["languages"],
        serde_json::json!(["en", "zh-CN", "zh-TW"])
    );

    let full = app
        .get_json(
            "/v1/claims/huang-china-will-win-ai-race?expand=appearances,sources&expand=assessments",
        )
        .await;
    assert_eq!(full["appearances"].as_array().unwrap().len(), 5);
    assert_eq!(full["assessments"], serde_json::json!([]));
    let sources: Vec<&str> = full["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources.len(),
        5,
        "FT, Report.az, CNA, World Journal, the seed: {sources:?}"
    );
    assert_eq!(
        sources[0], "ft-2025-11-05-huang-china-will-win",
        "oldest first"
    );

    let page = app
        .get_json("/v1/claims?claimant=jensen-huang&expand=appearances")
        .await;
    let claims = page["data"].as_array().unwrap();
    // An empty page would pass the loop below without checking anything.
    assert!(!claims.is_empty(), "{page}");
    for claim in claims {
        let embedded = claim["appearances"].as_array().unwrap().len() as u64;
        assert_eq!(
            Some(embedded),
            claim["appearance_summary"]["count"].as_u64()
        );
    }
}

#[tokio::test]
async fn a_walk_through_pages_sees_every_claim_once_while_claims_are_added() {
    let app = spawn_app().await;
    let before: HashSet<String> = app.ids("/v1/claims?limit=100").await.into_iter().collect();
    assert_eq!(before.len(), 21, "the 22 claims but the unverified lead");

    let mut seen = Vec::new();
    let mut next = Some("/v1/claims?limit=3".to_owned());
    let mut inserted = 0;
    while let Some(url) = next {
        let response = app.get(&url).await;
        let link = response
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_owned());
        let body: Value = response.json().await.unwrap();
        seen.extend(ids_of(&body));
        // Claims newer than, older than and on the same day as this page's position.
        for stated_on in ["2030-01-01", "2000-01-01", "2026-01-06", "2025-11-13"] {
            inserted += 1;
            app.insert_claim(&format!("inserted-{inserted}"), stated_on)
                .await;
        }
        next = match (&body["next_cursor"], link) {
            (Value::String(cursor), Some(link)) => {
                assert!(
                    link.contains(&enc(cursor)),
                    "Link repeats the cursor: {link}"
                );
                let target = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned();
                Some(target)
            }
            (Value::Null, None) => None,
            (cursor, link) => panic!("next_cursor {cursor} and Link {link:?} disagree"),
        };
    }
    let original: Vec<&String> = seen.iter().filter(|id| before.contains(*id)).collect();
    assert_eq!(original.len(), 21, "every original claim exactly once");
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no claim twice");
}

#[tokio::test]
async fn count_adds_the_total_of_matches() {
    let app = spawn_app().await;
    let body = app
        .get_json("/v1/claims?claimant=elon-musk&limit=2&count=true")
        .await;
    assert_eq!(body["total"], 5);
    assert!(body["next_cursor"].is_string());
    let without = app.get_json("/v1/claims?limit=2").await;
    assert!(without.get("total").is_none());
}
