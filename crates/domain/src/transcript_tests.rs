use super::*;
use proptest::prelude::*;

fn segment(sequence_id: u32, speaker: Speaker, text: &str) -> TranscriptSegment {
    TranscriptSegment {
        sequence_id,
        speaker,
        text: text.to_string(),
    }
}

fn conversation() -> Vec<TranscriptSegment> {
    vec![
        segment(1, Speaker::Dj, "DJ Mo, how can I help?"),
        segment(2, Speaker::Caller, "Hi, we're planning a wedding."),
        segment(3, Speaker::Dj, "Congratulations! What date?"),
        segment(4, Speaker::Caller, "June 14th, about 150 guests."),
    ]
}

#[test]
fn lines_follow_the_sequence_not_the_arrival() {
    let mut arrived = conversation();
    arrived.reverse();
    let lines = assemble(&arrived);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0].speaker, Speaker::Dj);
    assert_eq!(lines[1].text, "Hi, we're planning a wedding.");
    assert_eq!(lines[3].text, "June 14th, about 150 guests.");
}

#[test]
fn the_transcript_stops_at_the_cap_inside_a_character() {
    let long = "é".repeat(TRANSCRIPT_CAP_BYTES); // two bytes each
    let lines = assemble(&[
        segment(1, Speaker::Caller, "hello"),
        segment(2, Speaker::Caller, &long),
        segment(3, Speaker::Dj, "never kept"),
    ]);
    let bytes: usize = lines.iter().map(|l| l.text.len()).sum();
    assert_eq!(lines.len(), 2);
    assert!(bytes <= TRANSCRIPT_CAP_BYTES && bytes > TRANSCRIPT_CAP_BYTES - 2);
}

#[test]
fn speakers_are_stored_by_name() {
    for s in [Speaker::Caller, Speaker::Dj] {
        assert_eq!(Speaker::from_stored(s.as_str()), Some(s));
    }
    assert_eq!(Speaker::from_stored("agent"), None);
}

proptest! {
    // Any order and any duplication of the same segments gives the same transcript.
    #[test]
    fn order_and_duplicates_do_not_matter(order in Just((0..4usize).collect::<Vec<_>>()).prop_shuffle(),
                                          dupes in proptest::collection::vec(0usize..4, 0..6)) {
        let segments = conversation();
        let expected = assemble(&segments);
        let mut arrived: Vec<&TranscriptSegment> = order.iter().map(|i| &segments[*i]).collect();
        arrived.extend(dupes.iter().map(|i| &segments[*i]));
        prop_assert_eq!(assemble(arrived), expected);
    }
}
