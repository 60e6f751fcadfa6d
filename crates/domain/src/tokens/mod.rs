//! Bearer tokens withdrawn before they expire: a province revokes a token
//! (a lost laptop, a counsellor who left) by its id (`jti`), and every
//! process refuses it from then on.
//!
//! One aggregate per token id, so a revocation is written once; its stream
//! is `tokenrevocation-<jti>`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::aggregate_id;
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::Note;

aggregate_id!(
    /// A token's id (its `jti` claim); stream `tokenrevocation-<uuid>`.
    TokenId,
    "tokenrevocation",
    "token"
);

/// A revoked token, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRevocation {
    /// The token.
    pub token_id: TokenId,
    /// When the token expires anyway; after it the revocation may be
    /// forgotten.
    pub expires_at: DateTime<Utc>,
    /// Why it was revoked.
    pub reason: Option<Note>,
}

/// Revoke a token. Revoking one already revoked changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeToken {
    /// The token.
    pub token_id: TokenId,
    /// Its expiry.
    pub expires_at: DateTime<Utc>,
    /// Why.
    pub reason: Option<Note>,
}

/// `TokenRevoked` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRevoked {
    /// The token.
    pub token_id: TokenId,
    /// When it expires anyway.
    pub expires_at: DateTime<Utc>,
    /// Why it was revoked.
    pub reason: Option<Note>,
}

crate::domain_events! {
    /// What happens to a token.
    pub enum TokenEvent in token_id {
        /// `TokenRevoked`.
        Revoked(TokenRevoked) = ("TokenRevoked", 1),
    }
}

/// Revoking a token is never refused once the request is well formed; the
/// type exists because every aggregate names its refusals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {}

impl Coded for TokenError {
    fn code(&self) -> &'static str {
        match *self {}
    }
}

impl Refusal for TokenError {
    fn kind(&self) -> ErrorKind {
        match *self {}
    }

    fn field(&self) -> Option<&'static str> {
        match *self {}
    }
}

impl Aggregate for TokenRevocation {
    type Id = TokenId;
    type Command = RevokeToken;
    type Event = TokenEvent;
    type Error = TokenError;

    fn decide(state: Option<&Self>, command: RevokeToken) -> Result<Vec<TokenEvent>, TokenError> {
        if state.is_some() {
            return Ok(vec![]);
        }
        Ok(vec![TokenEvent::Revoked(TokenRevoked {
            token_id: command.token_id,
            expires_at: command.expires_at,
            reason: command.reason,
        })])
    }

    fn evolve(state: Option<Self>, event: &TokenEvent) -> Option<Self> {
        match (state, event) {
            (None, TokenEvent::Revoked(revoked)) => Some(Self {
                token_id: revoked.token_id,
                expires_at: revoked.expires_at,
                reason: revoked.reason.clone(),
            }),
            (state, _) => state,
        }
    }
}
