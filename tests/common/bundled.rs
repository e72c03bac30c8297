//! Shared by the test binaries (included with `#[path]`): where each documented path template
//! finds a record of the bundled dataset.

/// A path of the bundled dataset for a documented path template.
pub fn bundled(template: &str) -> String {
    if !template.contains('{') {
        return template.to_owned();
    }
    let claim = if template.starts_with("/v1/claims/{id}/assessments") {
        "openai-electron-gap-2024"
    } else {
        "huang-power-is-free"
    };
    let id = match template.split('/').nth(2) {
        Some("claims") => claim,
        Some("claimants") => "jensen-huang",
        Some("sources") => "ft-2025-11-05-huang-china-will-win",
        Some("topics") => "chips",
        Some("indicators") => "datacenter-power-shortfall",
        other => panic!("no bundled record for {other:?} ({template})"),
    };
    template
        .replace("{id}", id)
        .replace("{appearance_id}", "huang-power-free-ft")
        .replace("{assessment_id}", "openai-electron-gap-against-nea")
}
