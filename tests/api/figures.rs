use std::collections::BTreeSet;

use reqwest::StatusCode;

use crate::support::{enc, ids_of, problem, spawn_app};

fn set<'a>(ids: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    ids.into_iter().map(str::to_owned).collect()
}

#[tokio::test]
async fn quantity_filters_compare_after_normalising_units() {
    let app = spawn_app().await;
    let shortfall = "indicator=datacenter-power-shortfall";
    // The 55 GW lead rests on an unverified source alone: only `evidence=any` lists it.
    let above_45 = set(["morgan-stanley-us-shortfall-47gw"]);
    for value in [
        "45GW",
        "45000MW",
        "4.5e10W",
        "45 GW",
        "4500万千瓦",
        "45吉瓦",
    ] {
        let ids = app
            .ids(&format!("/v1/claims?{shortfall}&value_min={}", enc(value)))
            .await;
        assert_eq!(
            ids.into_iter().collect::<BTreeSet<_>>(),
            above_45,
            "value_min={value}"
        );
    }
    let with_leads = app
        .ids(&format!(
            "/v1/claims?{shortfall}&value_min=45GW&evidence=any"
        ))
        .await;
    assert_eq!(
        with_leads.into_iter().collect::<BTreeSet<_>>(),
        set([
            "morgan-stanley-us-shortfall-47gw",
            "morgan-stanley-us-shortfall-55gw"
        ])
    );
    let below = app
        .ids(&format!("/v1/claims?{shortfall}&value_max=45GW"))
        .await;
    assert_eq!(
        below.into_iter().collect::<BTreeSet<_>>(),
        set([
            "morgan-stanley-us-shortfall-36gw",
            "morgan-stanley-us-shortfall-44gw"
        ])
    );
    let between = app
        .ids(&format!(
            "/v1/claims?{shortfall}&value_min=40GW&value_max=50GW"
        ))
        .await;
    assert_eq!(
        between.into_iter().collect::<BTreeSet<_>>(),
        set([
            "morgan-stanley-us-shortfall-44gw",
            "morgan-stanley-us-shortfall-47gw"
        ])
    );
    // A bound too large for a double is beyond every figure, not an error.
    let all = app.ids(&format!("/v1/claims?{shortfall}")).await.len();
    assert_eq!(all, 3, "36, 44 and 47 GW");
    assert_eq!(
        app.ids(&format!("/v1/claims?{shortfall}&value_max=1e999GW"))
            .await
            .len(),
        all
    );
    assert!(
        app.ids(&format!("/v1/claims?{shortfall}&value_min=1e999GW"))
            .await
            .is_empty()
    );
    // Without an indicator, any figure of the same dimension counts.
    let us_power = app
        .ids("/v1/claims?subject=US&value_min=45GW&limit=100")
        .await;
    assert_eq!(
        us_power.into_iter().collect::<BTreeSet<_>>(),
        set([
            "morgan-stanley-us-shortfall-47gw",
            "openai-us-100gw-per-year",
            "openai-electron-gap-2024",
        ])
    );
    let margins = app
        .ids("/v1/claims?indicator=spare-capacity-margin&value_min=20%25")
        .await;
    assert_eq!(margins, ["goldman-us-spare-capacity-falls-by-2030"]);
    let ratios = app.ids("/v1/claims?value_min=3x&subject=CN").await;
    assert_eq!(
        ratios.into_iter().collect::<BTreeSet<_>>(),
        set([
            "goldman-china-400gw-spare-capacity-2030",
            "musk-china-3x-us-generation-by-2026"
        ])
    );
}

#[tokio::test]
async fn a_value_of_the_wrong_dimension_or_without_a_unit_is_a_400_that_says_why() {
    let app = spawn_app().await;
    for (query, field, says) in [
        (
            "indicator=datacenter-power-shortfall&value_min=45GWh",
            "value_min",
            "measures power",
        ),
        (
            "indicator=datacenter-power-shortfall&value_max=3x",
            "value_max",
            "measures power",
        ),
        ("value_min=45", "value_min", "no unit"),
        ("value_min=45gigawatts", "value_min", "not a known unit"),
        ("value_min=GW", "value_min", "must be a number"),
        ("subject=usa", "subject", "ISO 3166-1"),
    ] {
        let response = app.get(&format!("/v1/claims?{query}")).await;
        let body = problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{query}: {message}");
    }
}

#[tokio::test]
async fn estimates_show_every_figure_of_an_indicator_over_time() {
    let app = spawn_app().await;
    let body = app
        .get_json("/v1/indicators/datacenter-power-shortfall/estimates?count=true")
        .await;
    assert_eq!(body["total"], 4, "the 55 GW lead is left out");
    let rows: Vec<(String, f64, Option<String>)> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["claim_id"].as_str().unwrap().to_owned(),
                e["quantity"]["value"].as_f64().unwrap(),
                e["superseded_by"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
    assert_eq!(values, [36.0, 44.0, 13.0, 47.0], "oldest first");
    assert_eq!(
        rows[0].2.as_deref(),
        Some("morgan-stanley-us-shortfall-44gw")
    );
    assert_eq!(rows[3].2, None, "47 GW is the latest verified word");
    let everything = app
        .get_json("/v1/indicators/datacenter-power-shortfall/estimates?evidence=any")
        .await;
    let last = &everything["data"][4];
    assert_eq!(last["claim_id"], "morgan-stanley-us-shortfall-55gw");
    assert_eq!(last["evidence"], "unverified");
    assert_eq!(body["data"][0]["claimant"]["name"], "Morgan Stanley");

    let mut walked = Vec::new();
    let mut url = Some("/v1/indicators/datacenter-power-shortfall/estimates?limit=2".to_owned());
    while let Some(next) = url {
        let page = app.get_json(&next).await;
        walked.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["quantity"]["value"].as_f64().unwrap()),
        );
        url = page["next_cursor"].as_str().map(|c| {
            format!("/v1/indicators/datacenter-power-shortfall/estimates?limit=2&cursor={c}")
        });
    }
    assert_eq!(walked, values);

    let china = app
        .get_json("/v1/indicators/power-capacity-additions/estimates?subject=CN")
        .await;
    assert_eq!(china["data"].as_array().unwrap().len(), 1);
    let recent = app
        .get_json("/v1/indicators/datacenter-power-shortfall/estimates?stated_since=2025-12-01")
        .await;
    assert_eq!(recent["data"].as_array().unwrap().len(), 1);
    problem(
        app.get("/v1/indicators/nothing/estimates").await,
        StatusCode::NOT_FOUND,
        "indicator_not_found",
    )
    .await;
}

#[tokio::test]
async fn the_3x_forecast_is_pending_with_its_evidence() {
    let app = spawn_app().await;
    let claim = app
        .get_json("/v1/claims/musk-china-3x-us-generation-by-2026?expand=assessments")
        .await;
    assert_eq!(claim["status"], "pending");
    let assessment = &claim["assessments"][0];
    assert_eq!(assessment["verdict"], "pending");
    let evidence = assessment["evidence"].to_string();
    assert!(
        evidence.contains("10,087 TWh") && evidence.contains("about 4,400 TWh"),
        "{evidence}"
    );
    // Like with like: China's consumption against all US generation, not the power sector's.
    assert!(evidence.contains("about 2.36x"), "{evidence}");
    assert!(!evidence.contains("2.45x"), "{evidence}");
    assert!(assessment["summary"].as_str().unwrap().contains("2.2-2.4"));

    let open = app
        .ids("/v1/claims?status=pending&due_before=2027-01-01")
        .await;
    assert_eq!(open, ["musk-china-3x-us-generation-by-2026"]);
    // Only China's side of the electron gap is verified.
    assert!(app.ids("/v1/claims?status=correct").await.is_empty());
    assert_eq!(
        app.ids("/v1/claims?status=partly_correct").await,
        ["openai-electron-gap-2024"]
    );
    let listed = app
        .get_json("/v1/claims/goldman-china-400gw-spare-capacity-2030/assessments")
        .await;
    assert_eq!(ids_of(&listed), ["goldman-400gw-against-2030-demand"]);
}

#[tokio::test]
async fn revision_chains_refuse_cycles_and_forks() {
    let app = spawn_app().await;
    let db = app.db().await;
    let cycle = sqlx::query(
        "update claims set supersedes = 'morgan-stanley-us-shortfall-47gw' \
         where id = 'morgan-stanley-us-shortfall-36gw'",
    )
    .execute(&db)
    .await
    .unwrap_err();
    assert!(cycle.to_string().contains("revision cycle"), "{cycle}");
    let fork = sqlx::query(
        "update claims set supersedes = 'morgan-stanley-us-shortfall-44gw' where id = 'huang-power-is-free'",
    )
    .execute(&db)
    .await
    .unwrap_err();
    assert!(fork.to_string().contains("UNIQUE"), "{fork}");
    let chain = app
        .get_json("/v1/claims/morgan-stanley-us-shortfall-36gw/revisions")
        .await;
    assert_eq!(
        chain["data"].as_array().unwrap().len(),
        3,
        "nothing changed"
    );
}
