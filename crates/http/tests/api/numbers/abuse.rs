//! Number safety (SPEC §11, issue 10): one DJ token cannot drain the pool or the purchase
//! budget (`reassign_limit`), and calls are never forwarded abroad, to special services or to
//! a number of the pool (`forbidden_destination`).

use super::support::*;
use djcalls_domain::Role;
use djcalls_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

djcalls_testkit::on_both_backends! { TestApp:
    calls_are_forwarded_only_to_ordinary_numbers_at_home => forbidden_destinations;
}

async fn forbidden_destinations(t: TestApp) {
    let base = t.base_url.as_str();
    let pool_numbers = buy(base, 3, "415").await;
    put_profile(base, dj(1), Some("+14155552101"), true)
        .await
        .ok(201);
    put_profile(base, dj(2), Some("+14155552102"), true)
        .await
        .ok(201);
    let own = vn(&get_number(base, Some(KEY), dj(1)).await);
    let others = vn(&get_number(base, Some(KEY), dj(2)).await);
    let unassigned = pool_numbers
        .iter()
        .find(|n| **n != own && **n != others)
        .unwrap()
        .clone();
    let token = t.user_token("dj1@example.test", Role::Dj, &[dj(1)]).await;
    let forbidden = [
        own.as_str(),        // a loop
        others.as_str(),     // calls injected into another account
        unassigned.as_str(), // any number of the pool
        "+19002345678",      // premium rate
        "+12129765555",      // a 976 dial-it exchange
        "+18002345678",      // toll-free
        "+442083661177",     // abroad
        "+18765550123",      // Jamaica, +1 but not US/CA
    ];
    for bad in forbidden {
        let field = Some("real_phone_number");
        put_profile(base, dj(1), Some(bad), true)
            .await
            .error(400, "forbidden_destination", field);
        for caller in [KEY, token.as_str()] {
            assign(base, caller, dj(1), Some(bad))
                .await
                .error(400, "forbidden_destination", field);
            send(
                base,
                Method::PATCH,
                "/api/djdash/virtual-numbers",
                Some(caller),
                Some(json!({"dj_profile_id": dj(1).to_string(), "real_phone_number": bad})),
            )
            .await
            .error(400, "forbidden_destination", field);
        }
    }
    // Nothing changed, and an ordinary number at home is still fine.
    let profile = send(
        base,
        Method::GET,
        &format!("/api/djdash/profiles/{}", dj(1)),
        Some(KEY),
        None,
    )
    .await;
    assert_eq!(
        profile.body["profile"]["real_phone_number"], "+14155552101",
        "{}",
        profile.text
    );
    let number = get_number(base, Some(KEY), dj(1)).await;
    assert_eq!(
        number.body["virtualNumber"]["real_phone_number"],
        "+14155552101"
    );
    assign(base, &token, dj(1), Some("+14165550123"))
        .await
        .ok(200);
}
