//! JSON-LD: the records as schema.org nodes. A claim is a `Claim` whose `appearance`s and
//! `firstAppearance` are the sources that carried it (with the quote as `text`), and whose
//! assessments are `ClaimReview`s with a `reviewRating`.

use serde_json::{Value, json};

use crate::domain::{
    Appearance, Assessment, Claim, Claimant, ClaimantKind, DatePrecision, EvidenceLevel, Indicator,
    LocalizedText, Source, SourceKind, Topic,
};

/// A date cut to what is known of it: `2024-12` for a month, `2024` for a year (ISO 8601).
fn date(value: &str, precision: DatePrecision) -> String {
    let len = match precision {
        DatePrecision::Day => 10,
        DatePrecision::Month => 7,
        DatePrecision::Year => 4,
    };
    value.chars().take(len).collect()
}

/// Language-tagged strings, one per language.
fn tagged(texts: &LocalizedText) -> Value {
    Value::Array(
        texts
            .iter()
            .map(|(lang, text)| json!({"@value": text, "@language": lang}))
            .collect(),
    )
}

fn source_type(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Podcast => "PodcastEpisode",
        SourceKind::Article => "NewsArticle",
        SourceKind::Report => "Report",
        SourceKind::BlogPost => "BlogPosting",
        SourceKind::SocialPost => "SocialMediaPosting",
        SourceKind::Letter => "Message",
        SourceKind::Interview | SourceKind::Statement => "CreativeWork",
    }
}

pub fn source(s: &Source) -> Value {
    let mut node = json!({
        "@type": source_type(s.kind),
        "@id": format!("/v1/sources/{}", s.id),
        "identifier": s.id,
        "publisher": {"@type": "Organization", "name": s.publisher},
        "inLanguage": s.language,
    });
    if let Some(title) = &s.title {
        node["headline"] = json!(title);
    }
    if let Some(url) = &s.url {
        node["url"] = json!(url);
    }
    if let (Some(on), Some(precision)) = (&s.published_on, s.published_precision) {
        node["datePublished"] = json!(date(on, precision));
    }
    if !s.authors.is_empty() {
        node["author"] = json!(
            s.authors
                .iter()
                .map(|a| json!({"@type": "Person", "name": a}))
                .collect::<Vec<_>>()
        );
    }
    if !s.cites.is_empty() {
        node["citation"] = json!(
            s.cites
                .iter()
                .map(|c| json!({"@id": format!("/v1/sources/{c}")}))
                .collect::<Vec<_>>()
        );
    }
    if let Some(note) = &s.note {
        node["comment"] = json!({"@type": "Comment", "text": note});
    }
    node
}

/// An appearance: the source that carried the claim, with the words it used.
pub fn appearance(a: &Appearance, sources: &[Source]) -> Value {
    let mut node = match sources.iter().find(|s| s.id == a.source_id) {
        Some(s) => source(s),
        None => json!({"@type": "CreativeWork", "@id": format!("/v1/sources/{}", a.source_id)}),
    };
    node["inLanguage"] = json!(a.lang);
    if let Some(quote) = &a.quote {
        node["text"] = json!({"@value": quote, "@language": a.lang});
    }
    if let Some(note) = &a.note {
        node["comment"] = json!({"@type": "Comment", "text": note});
    }
    node
}

pub fn assessment(a: &Assessment, claim_id: &str) -> Value {
    json!({
        "@type": "ClaimReview",
        "@id": format!("/v1/claims/{claim_id}/assessments#{}", a.id),
        "identifier": a.id,
        "itemReviewed": {"@id": format!("/v1/claims/{claim_id}")},
        "reviewBody": a.summary,
        "datePublished": a.assessed_on,
        "author": {"@type": "Organization", "name": a.assessor},
        "reviewRating": {"@type": "Rating", "alternateName": a.verdict.as_str(), "ratingExplanation": a.summary},
        "citation": a.evidence.iter().map(|e| {
            let mut c = json!({"@type": "CreativeWork", "description": e.description});
            if let Some(url) = &e.url { c["url"] = json!(url); }
            c
        }).collect::<Vec<_>>(),
    })
}

/// A claim, with whatever of its appearances, sources and assessments were loaded.
pub fn claim(c: &Claim) -> Value {
    let mut node = json!({
        "@type": "Claim",
        "@id": format!("/v1/claims/{}", c.id),
        "identifier": c.id,
        "text": tagged(&c.text),
        "author": {"@id": format!("/v1/claimants/{}", c.claimant.id), "name": c.claimant.name},
        "datePublished": date(&c.stated_on, c.stated_precision),
        "keywords": c.topics,
        "genre": c.kind.as_str(),
    });
    if let Some(horizon) = &c.horizon {
        node["temporalCoverage"] = json!(date(&horizon.due_on, horizon.precision));
    }
    if let Some(previous) = &c.supersedes {
        node["isBasedOn"] = json!({"@id": format!("/v1/claims/{previous}")});
    }
    // A lead, not a fact: schema.org's lifecycle status of a creative work says so.
    if c.evidence.rests_on == EvidenceLevel::Unverified {
        node["creativeWorkStatus"] = json!("unverified");
    }
    let sources = c.sources.as_deref().unwrap_or_default();
    if let Some(appearances) = &c.appearances {
        node["appearance"] = json!(
            appearances
                .iter()
                .map(|a| appearance(a, sources))
                .collect::<Vec<_>>()
        );
        if let Some(first) = appearances.iter().find(|a| a.first_appearance) {
            node["firstAppearance"] = appearance(first, sources);
        }
    }
    if let Some(assessments) = &c.assessments {
        node["review"] = json!(
            assessments
                .iter()
                .map(|a| assessment(a, &c.id))
                .collect::<Vec<_>>()
        );
    }
    node
}

pub fn claimant(k: &Claimant) -> Value {
    let kind = match k.kind {
        ClaimantKind::Person => "Person",
        ClaimantKind::Organization => "Organization",
    };
    let mut node = json!({
        "@type": kind,
        "@id": format!("/v1/claimants/{}", k.id),
        "identifier": k.id,
        "name": tagged(&k.names),
        "alternateName": k.aliases.iter().map(|a| match &a.lang {
            Some(lang) => json!({"@value": a.alias, "@language": lang}),
            None => json!(a.alias),
        }).collect::<Vec<_>>(),
    });
    if let Some(d) = &k.description {
        node["description"] = json!(d);
    }
    if let Some(q) = &k.wikidata_id {
        node["sameAs"] = json!(format!("https://www.wikidata.org/entity/{q}"));
    }
    if k.kind == ClaimantKind::Person && !k.affiliations.is_empty() {
        node["affiliation"] = json!(
            k.affiliations
                .iter()
                .map(|a| json!({
                    "@type": "Organization", "name": a.organization, "description": a.role
                }))
                .collect::<Vec<_>>()
        );
    }
    node
}

fn defined_term(id: &str, path: &str, names: &LocalizedText, description: Option<&str>) -> Value {
    let mut node = json!({
        "@type": "DefinedTerm",
        "@id": format!("/v1/{path}/{id}"),
        "termCode": id,
        "name": tagged(names),
    });
    if let Some(d) = description {
        node["description"] = json!(d);
    }
    node
}

pub fn topic(t: &Topic) -> Value {
    defined_term(&t.id, "topics", &t.names, t.description.as_deref())
}

pub fn indicator(i: &Indicator) -> Value {
    defined_term(&i.id, "indicators", &i.names, i.description.as_deref())
}
