//! `cargo bench -p djcalls-insights`: per-field accuracy of `analyse` on the held-out half
//! of the corpus and the time per call (median, p95).
//! `cargo bench -p djcalls-insights -- --misses tune` lists what it gets wrong on a half.

#[path = "../corpus/accuracy.rs"]
mod accuracy;

use accuracy::{FIELDS, accuracy, load};
use std::hint::black_box;
use std::time::Instant;

const ROUNDS: usize = 50;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--misses") {
        let half = args.get(at + 1).map(String::as_str).unwrap_or("tune");
        for line in accuracy(&load(half)).1 {
            println!("{line}");
        }
        return;
    }
    let cases = load("heldout");
    let (scores, _) = accuracy(&cases);
    println!("held-out cases: {}", cases.len());
    for (field, score) in FIELDS.iter().zip(scores) {
        println!("{field:>13}: {score:.3}");
    }
    // The phrase automata are built once per process, on the first call.
    black_box(djcalls_insights::analyse("warm-up", cases[0].call_date));
    let mut times = Vec::with_capacity(cases.len() * ROUNDS);
    for _ in 0..ROUNDS {
        for case in &cases {
            let started = Instant::now();
            black_box(djcalls_insights::analyse(
                black_box(&case.transcript),
                case.call_date,
            ));
            times.push(started.elapsed());
        }
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "time per call: median {:?}, p95 {:?}, max {:?} ({} calls)",
        at(0.5),
        at(0.95),
        times[times.len() - 1],
        times.len()
    );
}
