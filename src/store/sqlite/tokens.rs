//! API tokens. A token is `ct_<id>_<secret>`: the id finds the row, and the secret is checked
//! against its stored SHA-256 in constant time. The secret itself is never stored.

use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::Store;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read, where reads need a token (`CLAIMTRAIL_PUBLIC_READS=false`).
    Read,
    /// Read, and create, change and delete records.
    Write,
    /// Everything `write` may, and manage tokens.
    Admin,
}

impl Scope {
    pub fn may_write(self) -> bool {
        matches!(self, Scope::Write | Scope::Admin)
    }

    fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    /// The scope a `tokens.scope` column holds. Its CHECK constraint keeps it to the three
    /// names; anything else would get the least power.
    fn of_column(s: &str) -> Scope {
        match s {
            "write" => Scope::Write,
            "admin" => Scope::Admin,
            _ => Scope::Read,
        }
    }
}

/// A token as listed: never its secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub scope: Scope,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_hex(len: usize) -> anyhow::Result<String> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(hex(&bytes))
}

pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Creates a token and returns it, whole, for the one time it is shown.
pub async fn create(
    store: &Store,
    name: &str,
    scope: Scope,
) -> anyhow::Result<(TokenInfo, String)> {
    let id = random_hex(8)?;
    let secret = random_hex(32)?;
    let created_at = now();
    sqlx::query(
        "insert into tokens (id, name, scope, secret_sha256, created_at) values (?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(name)
    .bind(scope.as_str())
    .bind(hex(&Sha256::digest(secret.as_bytes())))
    .bind(&created_at)
    .execute(store.writer())
    .await?;
    let token = format!("ct_{id}_{secret}");
    Ok((
        TokenInfo {
            id,
            name: name.to_owned(),
            scope,
            created_at,
            revoked_at: None,
        },
        token,
    ))
}

type TokenRow = (String, String, String, String, Option<String>);

fn info((id, name, scope, created_at, revoked_at): TokenRow) -> TokenInfo {
    TokenInfo {
        id,
        name,
        scope: Scope::of_column(&scope),
        created_at,
        revoked_at,
    }
}

pub async fn list(store: &Store) -> Result<Vec<TokenInfo>, crate::store::Error> {
    let rows: Vec<TokenRow> = sqlx::query_as(
        "select id, name, scope, created_at, revoked_at from tokens order by created_at, id",
    )
    .fetch_all(store.reader())
    .await?;
    Ok(rows.into_iter().map(info).collect())
}

/// Revokes a token; `false` when there is no live token with that id.
pub async fn revoke(store: &Store, id: &str) -> Result<bool, crate::store::Error> {
    let done = sqlx::query("update tokens set revoked_at = ? where id = ? and revoked_at is null")
        .bind(now())
        .bind(id)
        .execute(store.writer())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The live token that `presented` is, if any.
pub async fn verify(
    store: &Store,
    presented: &str,
) -> Result<Option<TokenInfo>, crate::store::Error> {
    let Some((id, secret)) = presented
        .strip_prefix("ct_")
        .and_then(|rest| rest.split_once('_'))
    else {
        return Ok(None);
    };
    let row: Option<(String, String, String, String, Option<String>, String)> = sqlx::query_as(
        "select id, name, scope, created_at, revoked_at, secret_sha256 from tokens \
         where id = ? and revoked_at is null",
    )
    .bind(id)
    .fetch_optional(store.reader())
    .await?;
    Ok(
        row.and_then(|(id, name, scope, created_at, revoked_at, stored)| {
            let presented = hex(&Sha256::digest(secret.as_bytes()));
            bool::from(presented.as_bytes().ct_eq(stored.as_bytes()))
                .then(|| info((id, name, scope, created_at, revoked_at)))
        }),
    )
}
