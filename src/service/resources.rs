//! Each resource as the write service sees it: how its input is parsed, which fields a patch
//! merges into, and which store operations read, save and remove it.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Resource, WriteError, problem};
use crate::domain::{
    Appearance, AppearanceBody, AppearanceInput, Assessment, AssessmentBody, AssessmentInput,
    Claim, ClaimInput, Claimant, ClaimantBody, ClaimantInput, FieldProblem, HistoryResource,
    Indicator, Slug, Source, SourceBody, SourceInput, TermBody, TermInput, Topic,
};
use crate::store::writes::{self as store, Tx};

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The id given, required of records named by a slug of their own.
fn required(given: Option<&Slug>) -> Result<String, WriteError> {
    given.map(|s| s.as_str().to_owned()).ok_or_else(|| {
        WriteError::Invalid(vec![problem("/id", "is required: the slug to name it by")])
    })
}

/// The id given, or one made of `prefix` and a random suffix.
fn given_or_made(given: Option<&Slug>, prefix: &str) -> Result<String, WriteError> {
    if let Some(id) = given {
        return Ok(id.as_str().to_owned());
    }
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes)
        .map_err(|e| WriteError::Store(crate::store::Error::Other(e.into())))?;
    let suffix: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{suffix}",
        prefix.chars().take(80).collect::<String>()
    ))
}

/// Claims: the id is given or made from the claimant's.
pub struct Claims;

impl Resource for Claims {
    type Input = ClaimInput;
    type Record = Claim;

    fn kind(&self) -> HistoryResource {
        HistoryResource::Claim
    }

    fn claim_of<'a>(&'a self, id: &'a str) -> &'a str {
        id
    }

    fn parse(&self, body: &Map<String, Value>) -> Result<ClaimInput, Vec<FieldProblem>> {
        ClaimInput::parse(body)
    }

    fn body(&self, record: &Claim) -> Value {
        ClaimInput::body_of(record)
    }

    fn new_id(&self, input: &ClaimInput) -> Result<String, WriteError> {
        given_or_made(input.id.as_ref(), &input.claimant)
    }

    async fn read(&self, tx: &mut Tx, id: &str) -> Result<Option<Claim>, WriteError> {
        store::claim(tx, id).await
    }

    async fn save(
        &self,
        tx: &mut Tx,
        id: &str,
        input: &ClaimInput,
        create: bool,
    ) -> Result<(), WriteError> {
        store::save_claim(tx, id, input, create).await
    }

    async fn remove(
        &self,
        tx: &mut Tx,
        id: &str,
        before: &Claim,
        _token: &str,
    ) -> Result<(), WriteError> {
        store::remove_claim(tx, id, before).await
    }
}

/// The appearances of one claim.
pub struct Appearances<'a> {
    pub claim: &'a str,
}

impl Resource for Appearances<'_> {
    type Input = AppearanceInput;
    type Record = Appearance;

    fn kind(&self) -> HistoryResource {
        HistoryResource::Appearance
    }

    fn claim_of<'a>(&'a self, _id: &'a str) -> &'a str {
        self.claim
    }

    fn parse(&self, body: &Map<String, Value>) -> Result<AppearanceInput, Vec<FieldProblem>> {
        AppearanceInput::parse(body)
    }

    fn body(&self, record: &Appearance) -> Value {
        to_value(&AppearanceBody::from(record))
    }

    fn new_id(&self, input: &AppearanceInput) -> Result<String, WriteError> {
        given_or_made(input.id.as_ref(), self.claim)
    }

    async fn parent_exists(&self, tx: &mut Tx) -> Result<bool, WriteError> {
        tx.exists(HistoryResource::Claim, self.claim).await
    }

    async fn read(&self, tx: &mut Tx, id: &str) -> Result<Option<Appearance>, WriteError> {
        store::appearance_in(tx, self.claim, id).await
    }

    async fn save(
        &self,
        tx: &mut Tx,
        id: &str,
        input: &AppearanceInput,
        create: bool,
    ) -> Result<(), WriteError> {
        store::save_appearance(tx, self.claim, id, input, create).await
    }

    async fn remove(
        &self,
        tx: &mut Tx,
        id: &str,
        _before: &Appearance,
        _token: &str,
    ) -> Result<(), WriteError> {
        store::remove_appearance(tx, self.claim, id).await
    }
}

/// The assessments of one claim.
pub struct Assessments<'a> {
    pub claim: &'a str,
}

impl Resource for Assessments<'_> {
    type Input = AssessmentInput;
    type Record = Assessment;

    fn kind(&self) -> HistoryResource {
        HistoryResource::Assessment
    }

    fn claim_of<'a>(&'a self, _id: &'a str) -> &'a str {
        self.claim
    }

    fn parse(&self, body: &Map<String, Value>) -> Result<AssessmentInput, Vec<FieldProblem>> {
        AssessmentInput::parse(body)
    }

    fn body(&self, record: &Assessment) -> Value {
        to_value(&AssessmentBody::from(record))
    }

    fn new_id(&self, input: &AssessmentInput) -> Result<String, WriteError> {
        given_or_made(input.id.as_ref(), self.claim)
    }

    async fn parent_exists(&self, tx: &mut Tx) -> Result<bool, WriteError> {
        tx.exists(HistoryResource::Claim, self.claim).await
    }

    async fn read(&self, tx: &mut Tx, id: &str) -> Result<Option<Assessment>, WriteError> {
        store::assessment_in(tx, self.claim, id).await
    }

    async fn save(
        &self,
        tx: &mut Tx,
        id: &str,
        input: &AssessmentInput,
        create: bool,
    ) -> Result<(), WriteError> {
        store::save_assessment(tx, self.claim, id, input, create).await
    }

    async fn remove(
        &self,
        tx: &mut Tx,
        id: &str,
        _before: &Assessment,
        _token: &str,
    ) -> Result<(), WriteError> {
        store::remove_assessment(tx, self.claim, id).await
    }
}

/// Claimants: people and organisations, named by a slug.
pub struct Claimants;

impl Resource for Claimants {
    type Input = ClaimantInput;
    type Record = Claimant;

    fn kind(&self) -> HistoryResource {
        HistoryResource::Claimant
    }

    fn claim_of<'a>(&'a self, _id: &'a str) -> &'a str {
        ""
    }

    fn parse(&self, body: &Map<String, Value>) -> Result<ClaimantInput, Vec<FieldProblem>> {
        ClaimantInput::parse(body)
    }

    fn body(&self, record: &Claimant) -> Value {
        to_value(&ClaimantBody::from(record))
    }

    fn new_id(&self, input: &ClaimantInput) -> Result<String, WriteError> {
        required(input.id.as_ref())
    }

    async fn read(&self, tx: &mut Tx, id: &str) -> Result<Option<Claimant>, WriteError> {
        store::claimant(tx, id).await
    }

    async fn save(
        &self,
        tx: &mut Tx,
        id: &str,
        input: &ClaimantInput,
        create: bool,
    ) -> Result<(), WriteError> {
        store::save_claimant(tx, id, input, create).await
    }

    async fn remove(
        &self,
        tx: &mut Tx,
        id: &str,
        _before: &Claimant,
        _token: &str,
    ) -> Result<(), WriteError> {
        store::remove_claimant(tx, id).await
    }
}

/// Sources: where claims appear, named by a slug.
pub struct Sources;

impl Resource for Sources {
    type Input = SourceInput;
    type Record = Source;

    fn kind(&self) -> HistoryResource {
        HistoryResource::Source
    }

    fn claim_of<'a>(&'a self, _id: &'a str) -> &'a str {
        ""
    }

    fn parse(&self, body: &Map<String, Value>) -> Result<SourceInput, Vec<FieldProblem>> {
        SourceInput::parse(body)
    }

    fn body(&self, record: &Source) -> Value {
        to_value(&SourceBody::from(record))
    }

    fn new_id(&self, input: &SourceInput) -> Result<String, WriteError> {
        required(input.id.as_ref())
    }

    async fn read(&self, tx: &mut Tx, id: &str) -> Result<Option<Source>, WriteError> {
        store::source(tx, id).await
    }

    async fn save(
        &self,
        tx: &mut Tx,
        id: &str,
        input: &SourceInput,
        create: bool,
    ) -> Result<(), WriteError> {
        store::save_source(tx, id, input, create).await
    }

    async fn remove(
        &self,
        tx: &mut Tx,
        id: &str,
        before: &Source,
        _token: &str,
    ) -> Result<(), WriteError> {
        store::remove_source(tx, id, before).await
    }
}

/// A topic or an indicator, as GET shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Term {
    Topic(Topic),
    Indicator(Indicator),
}

/// Topics or indicators: the terms claims are tagged and measured with. With `cascade`, a
/// topic still in use is first taken off its claims.
pub struct Terms {
    pub kind: store::TermKind,
    pub cascade: bool,
}

impl Resource for Terms {
    type Input = TermInput;
    type Record = Term;

    fn kind(&self) -> HistoryResource {
        match self.kind {
            store::TermKind::Topic => HistoryResource::Topic,
            store::TermKind::Indicator => HistoryResource::Indicator,
        }
    }

    fn claim_of<'a>(&'a self, _id: &'a str) -> &'a str {
        ""
    }

    fn parse(&self, body: &Map<String, Value>) -> Result<TermInput, Vec<FieldProblem>> {
        TermInput::parse(body, self.kind == store::TermKind::Indicator)
    }

    fn body(&self, record: &Term) -> Value {
        to_value(&match record {
            Term::Topic(t) => TermBody::from(t),
            Term::Indicator(i) => TermBody::from(i),
        })
    }

    fn new_id(&self, input: &TermInput) -> Result<String, WriteError> {
        required(input.id.as_ref())
    }

    async fn read(&self, tx: &mut Tx, id: &str) -> Result<Option<Term>, WriteError> {
        Ok(match self.kind {
            store::TermKind::Topic => store::topic(tx, id).await?.map(Term::Topic),
            store::TermKind::Indicator => store::indicator(tx, id).await?.map(Term::Indicator),
        })
    }

    async fn save(
        &self,
        tx: &mut Tx,
        id: &str,
        input: &TermInput,
        create: bool,
    ) -> Result<(), WriteError> {
        store::save_term(tx, self.kind, id, input, create).await
    }

    async fn remove(
        &self,
        tx: &mut Tx,
        id: &str,
        _before: &Term,
        token: &str,
    ) -> Result<(), WriteError> {
        store::remove_term(tx, self.kind, id, self.cascade, token).await
    }
}
