use super::*;

fn spool() -> (tempfile::TempDir, Spool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = Spool::new(dir.path().join("spool"));
    (dir, spool)
}

fn contents(spool: &Spool) -> Vec<Vec<u8>> {
    spool
        .pending()
        .expect("pending")
        .iter()
        .map(|e| spool.read(e).expect("read"))
        .collect()
}

#[test]
fn entries_come_back_in_the_order_they_were_written() {
    let (_dir, spool) = spool();
    assert!(spool.pending().expect("no directory yet").is_empty());
    let written: Vec<Vec<u8>> = (0..200)
        .map(|n| format!("entry {n}").into_bytes())
        .collect();
    for bytes in &written {
        spool.append(bytes).expect("append");
    }
    assert_eq!(contents(&spool), written);
}

#[test]
fn a_second_spool_on_the_same_directory_continues_after_the_first() {
    let (_dir, first) = spool();
    first.append(b"before the restart").expect("append");
    let restarted = Spool::new(first.dir());
    restarted.append(b"after the restart").expect("append");
    assert_eq!(
        contents(&restarted),
        vec![
            b"before the restart".to_vec(),
            b"after the restart".to_vec()
        ]
    );
}

#[test]
fn removed_and_set_aside_entries_leave_the_rest_in_order() {
    let (_dir, spool) = spool();
    for n in 0..4 {
        spool.append(format!("{n}").as_bytes()).expect("append");
    }
    let entries = spool.pending().expect("pending");
    spool.remove(&entries[0]).expect("remove");
    spool.remove(&entries[0]).expect("removing twice is fine");
    let aside = spool.set_aside(&entries[2]).expect("set aside");
    assert_eq!(
        aside,
        spool.dir().join(REJECTED_DIR).join(entries[2].name())
    );
    assert_eq!(fs::read(&aside).expect("kept"), b"2");
    assert_eq!(contents(&spool), vec![b"1".to_vec(), b"3".to_vec()]);
}

#[test]
fn temporaries_and_foreign_files_are_not_entries() {
    let (_dir, spool) = spool();
    spool.append(b"real").expect("append");
    fs::write(spool.dir().join(".half-written.entry.tmp"), b"torn").expect("write");
    fs::write(spool.dir().join("README.txt"), b"operator note").expect("write");
    fs::create_dir(spool.dir().join("0-looks-like.entry")).expect("dir");
    assert_eq!(contents(&spool), vec![b"real".to_vec()]);
}

#[test]
fn an_unwritable_directory_is_an_error_naming_the_path() {
    // A file where the directory should be: refused even for root, who ignores permissions.
    let (dir, _) = spool();
    let blocked = dir.path().join("not-a-directory");
    fs::write(&blocked, b"").expect("file");
    let spool = Spool::new(blocked.join("spool"));
    let error = spool.append(b"x").expect_err("cannot write");
    assert_eq!(error.path, blocked.join("spool"));
    assert!(
        error.to_string().contains("not-a-directory/spool"),
        "{error}"
    );
    assert!(spool.pending().is_err(), "listing it fails too");
}

#[test]
fn a_kept_side_file_is_replaced_whole_and_is_no_entry() {
    let (_dir, spool) = spool();
    assert_eq!(spool.kept("routing.json").expect("read"), None);
    spool.keep("routing.json", b"first").expect("keep");
    spool.keep("routing.json", b"second").expect("keep");
    assert_eq!(
        spool.kept("routing.json").expect("read"),
        Some(b"second".to_vec())
    );
    assert!(spool.pending().expect("pending").is_empty());
}
