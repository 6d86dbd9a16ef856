-- A Twilio call's page_url is the page of the click it is attributed to (issue 13 part 5):
-- until now the page was only inside `attribution`. New calls get it in Rust
-- (store/src/voice/mod.rs); calls recorded before this migration get it from their attribution.
UPDATE dj_calls SET page_url = json_extract(attribution, '$.page_url')
 WHERE page_url IS NULL AND attribution IS NOT NULL;
