//! The hostile-input corpus: malformed files of every kind the `mlharness` command reads, each
//! with the command line that reads it. `tests/hostile/main.rs` runs them all;
//! `cargo run -p cargo-mlharness --example hostile_corpus -- DIR` writes them out, one folder
//! per case with a `command` file, for trying them by hand or with other tools.

/// One malformed input and the command that reads it.
pub struct Case {
    /// Unique, file-system safe: `csv/unterminated-quote`.
    pub name: String,
    /// Files to create in an empty directory, by relative path.
    pub files: Vec<(String, Vec<u8>)>,
    /// Arguments after `mlharness`, relative to that directory.
    pub args: Vec<String>,
    /// The file the error message must name.
    pub blamed: String,
    /// Files the command must not create (outputs asked for), besides temporaries.
    pub must_not_create: Vec<String>,
}

const GOOD_CSV: &str = "minutes,plan\n1.5,basic\n2.5,pro\n3.5,basic\n";

const GOOD_SCHEMA: &str = r#"{
  "mlharness_schema": 1,
  "columns": [
    {"name": "minutes", "kind": "numeric", "nullable": false, "min": 0.0, "max": 10.0},
    {"name": "plan", "kind": "categorical", "nullable": false, "categories": ["basic", "pro"]}
  ]
}"#;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Malformed CSV files: each is read by `schema infer`, `validate`, and both sides of `drift`.
fn bad_csvs() -> Vec<(&'static str, Vec<u8>)> {
    let mut huge_field = b"minutes,plan\n1,".to_vec();
    huge_field.extend(std::iter::repeat_n(b'x', 2 << 20));
    huge_field.push(b'\n');
    let mut open_quote_then_rows = b"minutes,plan\n1,\"basic\n".to_vec();
    for i in 0..20_000 {
        open_quote_then_rows.extend(format!("{i},pro\n").as_bytes());
    }
    let mut random = Vec::with_capacity(4096);
    let mut x: u32 = 0x9e37_79b9;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        random.push((x & 0xff) as u8);
    }
    vec![
        ("empty", Vec::new()),
        ("bom-only", b"\xef\xbb\xbf".to_vec()),
        ("only-newlines", b"\n\n\n".to_vec()),
        (
            "unterminated-quote",
            b"minutes,plan\n1,basic\n2,\"pro\n3,basic\n".to_vec(),
        ),
        ("open-quote-then-20000-rows", open_quote_then_rows),
        ("ragged-short", b"minutes,plan\n1,basic\n2\n".to_vec()),
        (
            "ragged-long",
            b"minutes,plan\n1,basic\n2,pro,extra\n".to_vec(),
        ),
        ("empty-header-name", b"minutes,,plan\n1,2,basic\n".to_vec()),
        ("duplicate-header", b"minutes,minutes\n1,2\n".to_vec()),
        (
            "invalid-utf8-header",
            b"min\xffutes,plan\n1,basic\n".to_vec(),
        ),
        (
            "invalid-utf8-field",
            b"minutes,plan\n1,ba\xc3\x28sic\n".to_vec(),
        ),
        ("field-over-1-mib", huge_field),
        ("random-bytes", random),
    ]
}

fn bad_schemas() -> Vec<(&'static str, Vec<u8>)> {
    let deep = format!(
        "{{\"columns\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    vec![
        ("empty", Vec::new()),
        ("not-json", b"columns: minutes".to_vec()),
        ("truncated", GOOD_SCHEMA.as_bytes()[..60].to_vec()),
        ("columns-not-a-list", b"{\"columns\": 5}".to_vec()),
        (
            "unknown-kind",
            GOOD_SCHEMA.replacen("numeric", "decimal", 1).into_bytes(),
        ),
        (
            "min-not-a-number",
            GOOD_SCHEMA.replacen("0.0", "\"zero\"", 1).into_bytes(),
        ),
        (
            "number-out-of-range",
            GOOD_SCHEMA.replacen("10.0", "1e999", 1).into_bytes(),
        ),
        ("nested-100000-deep", deep.into_bytes()),
        ("invalid-utf8", b"{\"columns\": [\"\xff\"]}".to_vec()),
        (
            "duplicate-column",
            GOOD_SCHEMA
                .replacen("\"plan\"", "\"minutes\"", 1)
                .into_bytes(),
        ),
    ]
}

/// Malformed configs, by extension.
fn bad_configs() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let deep_yaml: String = (0..10_000)
        .map(|i| format!("{}- \n", "  ".repeat(i)))
        .collect();
    let mut bomb = String::from("a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        bomb.push_str(&format!(
            "{}: &{} [{}]\n",
            w[1],
            w[1],
            vec![format!("*{}", w[0]); 9].join(",")
        ));
    }
    let nested_expansion = format!(
        "a = \"{}x{}\"\n",
        "${X:-".repeat(15_000),
        "}".repeat(15_000)
    );
    vec![
        ("toml", "syntax", b"a = [\n".to_vec()),
        ("toml", "duplicate-key", b"a = 1\na = 2\n".to_vec()),
        (
            "toml",
            "nested-10000-deep",
            format!("a = {}{}\n", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
        ),
        ("toml", "unclosed-expansion", b"a = \"${HOME\"\n".to_vec()),
        (
            "toml",
            "undefined-variable",
            b"a = \"${MLHARNESS_SURELY_UNDEFINED_VAR}\"\n".to_vec(),
        ),
        (
            "toml",
            "required-variable",
            b"a = \"${MLHARNESS_SURELY_UNDEFINED_VAR:?set it}\"\n".to_vec(),
        ),
        (
            "toml",
            "expansion-nested-15000-deep",
            nested_expansion.into_bytes(),
        ),
        ("toml", "invalid-utf8", b"a = \"\xff\"\n".to_vec()),
        ("json", "syntax", b"{\"a\": }".to_vec()),
        ("json", "top-level-array", b"[1, 2]".to_vec()),
        (
            "json",
            "nested-100000-deep",
            format!("{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
        ),
        ("json", "duplicate-key", b"{\"a\": 1, \"a\": 2}".to_vec()),
        ("yaml", "syntax", b"a: [1, 2\n".to_vec()),
        (
            "yaml",
            "nested-10000-deep",
            format!("a:\n{deep_yaml}").into_bytes(),
        ),
        ("yaml", "alias-bomb", bomb.into_bytes()),
        ("yaml", "undefined-alias", b"a: *nothing\n".to_vec()),
        ("yaml", "top-level-scalar", b"just text\n".to_vec()),
    ]
}

fn bad_gate_configs() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("syntax", b"[gate\nmin_coverage = 80\n".to_vec()),
        ("unknown-key", b"[gate]\nmin_coverge = 80\n".to_vec()),
        ("wrong-type", b"[gate]\nmin_coverage = \"high\"\n".to_vec()),
        (
            "coverage-over-100",
            b"[gate]\nmin_coverage = 150\n".to_vec(),
        ),
        ("coverage-nan", b"[gate]\nmin_coverage = nan\n".to_vec()),
        ("negative-timeout", b"[gate]\ntest_timeout = -1\n".to_vec()),
        (
            "unknown-kind",
            b"[gate]\nrequired_kinds = [\"unti\"]\n".to_vec(),
        ),
        (
            "nested-10000-deep",
            format!("a = {}{}\n", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
        ),
    ]
}

/// A small good Parquet file, and the same rows as an Arrow IPC file, to damage.
fn good_columnar() -> (Vec<u8>, Vec<u8>) {
    use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let batch = RecordBatch::try_from_iter([
        (
            "minutes",
            Arc::new(Float64Array::from(
                (0..500).map(f64::from).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "plan",
            Arc::new(StringArray::from_iter_values((0..500).map(|i| {
                if i % 3 == 0 {
                    "pro"
                } else {
                    "basic"
                }
            }))) as ArrayRef,
        ),
    ])
    .expect("a batch");
    let mut parquet = Vec::new();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(&mut parquet, batch.schema(), None).expect("a writer");
    w.write(&batch).expect("written");
    w.close().expect("closed");
    let mut ipc = Vec::new();
    let mut w =
        arrow_ipc::writer::FileWriter::try_new(&mut ipc, &batch.schema()).expect("a writer");
    w.write(&batch).expect("written");
    w.finish().expect("finished");
    drop(w);
    (parquet, ipc)
}

/// Malformed Parquet and Arrow IPC files, by file name: read as the CSV cases are.
fn bad_columnar() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let (parquet, ipc) = good_columnar();
    let mut footer_len = parquet.clone();
    let n = footer_len.len();
    // The footer's metadata length, just before the closing magic, now points past the file.
    footer_len[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut pages = parquet.clone();
    for b in &mut pages[8..n / 2] {
        *b = 0x5a;
    }
    let mut magic_only = b"PAR1".to_vec();
    magic_only.extend(std::iter::repeat_n(0xffu8, 64));
    magic_only.extend(b"PAR1");
    vec![
        (
            "parquet-truncated",
            "bad.parquet",
            parquet[..n / 2].to_vec(),
        ),
        ("parquet-empty", "bad.parquet", Vec::new()),
        ("parquet-footer-length", "bad.parquet", footer_len),
        ("parquet-pages-overwritten", "bad.parquet", pages),
        ("parquet-magic-only", "bad.parquet", magic_only),
        (
            "parquet-is-csv",
            "bad.parquet",
            GOOD_CSV.as_bytes().to_vec(),
        ),
        ("ipc-truncated", "bad.arrow", ipc[..ipc.len() / 2].to_vec()),
        ("ipc-random", "bad.arrow", vec![0xab; 300]),
    ]
}

/// Every case.
pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    let good = |name: &str, text: &str| (name.to_string(), text.as_bytes().to_vec());
    for (name, file, bytes) in bad_columnar() {
        let bad = || (file.to_string(), bytes.clone());
        cases.push(Case {
            name: format!("columnar/{name}/schema-infer"),
            files: vec![bad()],
            args: args(&["schema", "infer", file, "-o", "schema.json"]),
            blamed: file.into(),
            must_not_create: vec!["schema.json".into()],
        });
        cases.push(Case {
            name: format!("columnar/{name}/validate"),
            files: vec![bad(), good("schema.json", GOOD_SCHEMA)],
            args: args(&["validate", "--schema", "schema.json", file]),
            blamed: file.into(),
            must_not_create: vec![],
        });
        cases.push(Case {
            name: format!("columnar/{name}/drift-current"),
            files: vec![bad(), good("good.csv", GOOD_CSV)],
            args: args(&["drift", "good.csv", file]),
            blamed: file.into(),
            must_not_create: vec![],
        });
    }
    for (name, bytes) in bad_csvs() {
        let bad = || ("bad.csv".to_string(), bytes.clone());
        cases.push(Case {
            name: format!("csv/{name}/schema-infer"),
            files: vec![bad()],
            args: args(&["schema", "infer", "bad.csv", "-o", "schema.json"]),
            blamed: "bad.csv".into(),
            must_not_create: vec!["schema.json".into()],
        });
        cases.push(Case {
            name: format!("csv/{name}/validate"),
            files: vec![bad(), good("schema.json", GOOD_SCHEMA)],
            args: args(&["validate", "--schema", "schema.json", "bad.csv"]),
            blamed: "bad.csv".into(),
            must_not_create: vec![],
        });
        for (side, order) in [
            ("reference", ["bad.csv", "good.csv"]),
            ("current", ["good.csv", "bad.csv"]),
        ] {
            cases.push(Case {
                name: format!("csv/{name}/drift-{side}"),
                files: vec![bad(), good("good.csv", GOOD_CSV)],
                args: args(&["drift", order[0], order[1]]),
                blamed: "bad.csv".into(),
                must_not_create: vec![],
            });
        }
    }
    for (name, bytes) in bad_schemas() {
        cases.push(Case {
            name: format!("schema/{name}/validate"),
            files: vec![("bad.json".into(), bytes), good("data.csv", GOOD_CSV)],
            args: args(&["validate", "--schema", "bad.json", "data.csv"]),
            blamed: "bad.json".into(),
            must_not_create: vec![],
        });
    }
    for (ext, name, bytes) in bad_configs() {
        let bad = format!("bad.{ext}");
        let good_file = match ext {
            "toml" => good("good.toml", "a = 1\n"),
            "json" => good("good.json", "{\"a\": 1}"),
            _ => good("good.yaml", "a: 1\n"),
        };
        for (side, order) in [
            ("expected", [bad.as_str(), good_file.0.as_str()]),
            ("actual", [good_file.0.as_str(), bad.as_str()]),
        ] {
            // EXPECTED is read as written: expansion problems show only on the actual side.
            if side == "expected" && name.contains("variable") {
                continue;
            }
            cases.push(Case {
                name: format!("config/{ext}/{name}/{side}"),
                files: vec![(bad.clone(), bytes.clone()), good_file.clone()],
                args: args(&["config-diff", order[0], order[1]]),
                blamed: bad.clone(),
                must_not_create: vec![],
            });
        }
        if ext == "toml" && !name.contains("variable") {
            cases.push(Case {
                name: format!("config/rules/{name}"),
                files: vec![
                    ("rules.toml".into(), bytes.clone()),
                    good("a.toml", "a = 1\n"),
                ],
                args: args(&["config-diff", "a.toml", "a.toml", "--rules", "rules.toml"]),
                blamed: "rules.toml".into(),
                must_not_create: vec![],
            });
        }
    }
    for (name, bytes) in bad_gate_configs() {
        cases.push(Case {
            name: format!("mlharness-toml/{name}"),
            files: vec![
                ("mlharness.toml".into(), bytes),
                good("Cargo.toml", "[package]\nname = \"hostile\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n"),
                good("src/lib.rs", ""),
            ],
            args: args(&["run"]),
            blamed: "mlharness.toml".into(),
            must_not_create: vec!["target".into()],
        });
    }
    for (what, list) in [
        ("missing-file", args(&["schema", "infer", "nothing.csv"])),
        (
            "missing-schema",
            args(&["validate", "--schema", "nothing.json", "good.csv"]),
        ),
        (
            "missing-config",
            args(&["config-diff", "nothing.toml", "good.toml"]),
        ),
        ("directory-as-file", args(&["drift", "dir", "good.csv"])),
        (
            "unknown-config-extension",
            args(&["config-diff", "good.csv", "good.csv"]),
        ),
    ] {
        let blamed = list
            .iter()
            .find(|a| {
                a.contains("nothing")
                    || *a == "dir"
                    || (what.starts_with("unknown") && a.ends_with(".csv"))
            })
            .cloned()
            .unwrap_or_default();
        cases.push(Case {
            name: format!("paths/{what}"),
            files: vec![
                good("good.csv", GOOD_CSV),
                good("good.toml", "a = 1\n"),
                good("dir/.keep", ""),
            ],
            args: list,
            blamed,
            must_not_create: vec![],
        });
    }
    for (name, tolerance) in [("nan", "NaN"), ("negative", "-1"), ("infinite", "inf")] {
        cases.push(Case {
            name: format!("options/tolerance-{name}"),
            files: vec![good("a.toml", "a = 1\n")],
            args: args(&["config-diff", "a.toml", "a.toml", "--tolerance", tolerance]),
            blamed: "--tolerance".into(),
            must_not_create: vec![],
        });
    }
    cases
}
