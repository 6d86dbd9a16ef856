//! What an ad conversion of a ledger row needs to know at send time (SPEC §14): the caller's
//! number (Meta's hashed phone), the call's attribution (GA4's client id is the click's
//! visitor id) and, for a refund, the id of the payment it gives money back from (GA4's
//! `transaction_id`).

use crate::{Store, StoreResult};
use djcalls_domain::{Actor, CallId};
use uuid::Uuid;

/// The facts of one ledger row's call, read when its conversion is sent.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ConversionFacts {
    /// E.164, when the caller's number is known.
    pub caller_number: Option<String>,
    /// JSON text of the click that led to the call, when one did.
    pub attribution: Option<String>,
    /// The ledger's payment row of `(provider, provider_payment_id)`.
    pub payment_id: Option<Uuid>,
}

impl Store {
    /// The conversion facts of `call` and its payment `(provider, provider_payment_id)`;
    /// `None` when there is no such call.
    pub async fn conversion_facts(
        &self,
        actor: &Actor,
        call: CallId,
        provider: &str,
        provider_payment_id: &str,
    ) -> StoreResult<Option<ConversionFacts>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, ConversionFacts>(
                "SELECT c.caller_number, c.attribution, \
                   (SELECT p.id FROM payments p WHERE p.provider = $2 \
                     AND p.provider_payment_id = $3 AND p.kind = 'payment' \
                     ORDER BY p.created_at LIMIT 1) AS payment_id \
                 FROM dj_calls c WHERE c.id = $1",
            )
            .bind(call.0)
            .bind(provider)
            .bind(provider_payment_id)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }
}
