//! The demo's world agrees with its calls (issues 13 and 14): each contact was made by its
//! first call; a caller's texts are the follow-ups of the calls whose link was sent; calls that
//! followed a widget click carry its attribution and page; the funnel's clicks, links and paid
//! stages are filled; and seeding raises no outbound webhook event, even with an endpoint.

use super::support::SPARKLE_ID;
use djcalls_domain::range::DateRange;
use djcalls_domain::{Actor, DjProfileId, WebhookEndpointId};
use djcalls_store::calls::CallFilter;
use djcalls_store::contacts::ContactFilter;
use djcalls_store::webhooks::{EVENT_JOB_KIND, WebhookEndpoint};
use djcalls_testkit::TestApp;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;

djcalls_testkit::on_both_backends! { TestApp:
    the_demos_contacts_texts_and_clicks_agree_with_its_calls => demo_history;
}

async fn demo_history(app: TestApp) {
    let store = &app.db.store;
    let endpoint = WebhookEndpoint {
        id: WebhookEndpointId(uuid::Uuid::from_u128(0xde40)),
        url: "https://hooks.example.com/in".into(),
        events: vec!["contact.created".into(), "contact.updated".into()],
        secret: "whsec_c2VjcmV0".into(),
        created_at: app.app.now(),
        disabled_at: None,
        disabled_reason: None,
    };
    store
        .insert_webhook_endpoint(&Actor::Service, &endpoint)
        .await
        .unwrap();
    app.app.seed_demo().await.unwrap();

    let jobs = store.pending_jobs(&Actor::System, 1_000).await.unwrap();
    assert!(
        jobs.iter().all(|j| j.kind != EVENT_JOB_KIND),
        "the demo raises no outbound webhook event"
    );

    let sparkle = DjProfileId(SPARKLE_ID.parse().unwrap());
    let filter = CallFilter {
        profile: Some(sparkle),
        ..CallFilter::default()
    };
    let calls = store
        .list_calls(&Actor::Service, &filter, None, 10_000)
        .await
        .unwrap();
    let contacts = store
        .list_contacts(
            &Actor::Service,
            &ContactFilter {
                profile: Some(sparkle),
                ..ContactFilter::default()
            },
            None,
            10_000,
        )
        .await
        .unwrap();
    assert!(!contacts.is_empty());
    let mut texted: BTreeMap<String, i64> = BTreeMap::new();
    for call in calls.iter().filter(|c| c.tipjar_link_sent) {
        *texted
            .entry(call.caller_number.clone().unwrap())
            .or_default() += 1;
    }
    assert!(!texted.is_empty(), "some demo calls sent the payment link");
    for contact in &contacts {
        assert_eq!(
            Some(contact.created_at),
            contact.first_call_at,
            "a contact is made by its first call"
        );
        assert_eq!(
            contact.texts_count,
            texted.get(&contact.phone).copied().unwrap_or(0),
            "a contact's texts are its calls' follow-ups"
        );
    }

    let attributed: Vec<_> = calls.iter().filter(|c| c.attribution.is_some()).collect();
    assert!(
        !attributed.is_empty() && attributed.len() < calls.len(),
        "some calls followed a click, some were direct"
    );
    for call in &calls {
        let click_page = call.attribution.as_deref().map(|a| {
            let a: serde_json::Value = serde_json::from_str(a).unwrap();
            a["page_url"].as_str().unwrap().to_string()
        });
        assert_eq!(call.page_url, click_page, "a call's page is its click's");
    }

    let range = DateRange::unbounded(TimeZone::UTC, "UTC");
    let funnel = app
        .app
        .funnel_report(&Actor::Service, Some(sparkle), &range)
        .await
        .unwrap();
    assert!(
        funnel.clicks > funnel.calls && funnel.calls > 0,
        "{funnel:?}"
    );
    assert!(funnel.numbers_shown > funnel.clicks, "{funnel:?}");
    assert!(funnel.links_opened > 0 && funnel.paid > 0, "{funnel:?}");
}
