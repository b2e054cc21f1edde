//! Datasets from Arrow record batches, Parquet and Arrow IPC files written here by arrow-rs.

use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Float32Array, Float64Array, Int64Array, ListArray, RecordBatch,
    StringArray, TimestampSecondArray, UInt8Array,
};
use arrow_ipc::CompressionType;
use mlharness::data::{
    ColumnKind, CsvOptions, DataError, DataFormat, Dataset, Numeric, Part, Place,
};
use mlharness::schema::Schema;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).unwrap()
}

/// `batches` as Arrow IPC bytes, in the stream format or the file format, compressed with
/// `codec`.
fn ipc(batches: &[&RecordBatch], codec: Option<CompressionType>, stream: bool) -> Vec<u8> {
    use arrow_ipc::writer::{FileWriter, IpcWriteOptions, StreamWriter};
    let options = IpcWriteOptions::default()
        .try_with_compression(codec)
        .unwrap();
    let schema = batches[0].schema();
    let mut bytes = Vec::new();
    if stream {
        let mut w = StreamWriter::try_new_with_options(&mut bytes, &schema, options).unwrap();
        for b in batches {
            w.write(b).unwrap();
        }
        w.finish().unwrap();
    } else {
        let mut w = FileWriter::try_new_with_options(&mut bytes, &schema, options).unwrap();
        for b in batches {
            w.write(b).unwrap();
        }
        w.finish().unwrap();
    }
    bytes
}

fn write_parquet(path: &Path, batches: &[RecordBatch], rows_per_group: usize) {
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows_per_group))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batches[0].schema(), Some(props)).unwrap();
    for b in batches {
        writer.write(b).unwrap();
    }
    writer.close().unwrap();
}

fn numeric<'a>(ds: &'a Dataset, name: &str) -> &'a Numeric {
    ds.numeric(name).unwrap()
}

/// Every supported type, with nulls, over three row groups.
fn mixed() -> RecordBatch {
    let mut dict = StringDictionaryBuilder::<Int32Type>::new();
    for v in [
        Some("pro"),
        Some("basic"),
        None,
        Some("pro"),
        Some("basic"),
        Some("pro"),
    ] {
        match v {
            Some(v) => {
                dict.append(v).unwrap();
            }
            None => dict.append_null(),
        }
    }
    batch(vec![
        (
            "minutes",
            Arc::new(Float64Array::from(vec![
                Some(1.5),
                None,
                Some(3.0),
                Some(-2.0),
                Some(0.0),
                Some(9.25),
            ])) as ArrayRef,
        ),
        (
            "calls",
            Arc::new(Int64Array::from(vec![1, 2, 3, 4, 5, 6])) as ArrayRef,
        ),
        (
            "rate",
            Arc::new(Float32Array::from(vec![0.5f32, 0.25, 1.0, 2.0, 4.0, 8.0])) as ArrayRef,
        ),
        (
            "flag",
            Arc::new(UInt8Array::from(vec![0u8, 1, 0, 1, 1, 0])) as ArrayRef,
        ),
        (
            "state",
            Arc::new(StringArray::from(vec![
                Some("KS"),
                Some("OH"),
                None,
                Some("KS"),
                Some("NJ"),
                Some("OH"),
            ])) as ArrayRef,
        ),
        ("plan", Arc::new(dict.finish()) as ArrayRef),
        (
            "churn",
            Arc::new(BooleanArray::from(vec![
                true, false, false, true, false, false,
            ])) as ArrayRef,
        ),
    ])
}

fn check_mixed(ds: &Dataset) {
    assert_eq!(ds.n_rows(), 6);
    let minutes = numeric(ds, "minutes");
    assert!(minutes.is_missing(1));
    assert_eq!(minutes.values()[5], 9.25);
    assert_eq!(
        numeric(ds, "calls").values(),
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    );
    assert_eq!(numeric(ds, "rate").values()[1], 0.25);
    assert_eq!(numeric(ds, "flag").values()[3], 1.0);
    let state = ds.categorical("state").unwrap();
    assert_eq!(state.levels(), ["KS", "NJ", "OH"]);
    assert_eq!(state.get(2), None);
    assert_eq!(state.get(4), Some("NJ"));
    let plan = ds.categorical("plan").unwrap();
    assert_eq!(plan.levels(), ["basic", "pro"]);
    assert_eq!((plan.get(0), plan.get(2)), (Some("pro"), None));
    let churn = ds.categorical("churn").unwrap();
    assert_eq!((churn.get(0), churn.get(1)), (Some("true"), Some("false")));
}

#[test]
fn parquet_in_several_row_groups_reads_every_type_and_null() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.parquet");
    write_parquet(&path, &[mixed()], 2);
    let ds = Dataset::from_parquet(&path).unwrap();
    check_mixed(&ds);
    assert_eq!(ds.source(), Some(path.as_path()));
    // By extension, as the CLI reads it.
    check_mixed(&Dataset::from_file(&path).unwrap());
}

#[test]
fn arrow_ipc_files_and_streams_read_alike() {
    let dir = tempfile::tempdir().unwrap();
    let b = mixed();
    let file = dir.path().join("mixed.arrow");
    std::fs::write(&file, ipc(&[&b, &b], None, false)).unwrap();
    let stream = dir.path().join("mixed.arrows");
    std::fs::write(&stream, ipc(&[&b], None, true)).unwrap();
    let from_file = Dataset::from_arrow_ipc(&file).unwrap();
    assert_eq!(from_file.n_rows(), 12);
    check_mixed(&Dataset::from_arrow_ipc(&stream).unwrap());
    assert_eq!(DataFormat::of(&stream), DataFormat::ArrowIpc);
}

/// The codecs IPC writers use (pyarrow's Feather writer compresses with LZ4 by default,
/// polars can use ZSTD), in both the file and the stream format.
#[test]
fn compressed_arrow_ipc_reads_as_uncompressed() {
    let dir = tempfile::tempdir().unwrap();
    let b = mixed();
    for codec in [CompressionType::LZ4_FRAME, CompressionType::ZSTD] {
        let file = dir.path().join(format!("{codec:?}.arrow"));
        std::fs::write(&file, ipc(&[&b], Some(codec), false)).unwrap();
        let stream = dir.path().join(format!("{codec:?}.arrows"));
        std::fs::write(&stream, ipc(&[&b], Some(codec), true)).unwrap();
        check_mixed(&Dataset::from_arrow_ipc(&file).unwrap());
        check_mixed(&Dataset::from_arrow_ipc(&stream).unwrap());
    }
    // What pyarrow writes: `feather.write_feather` by default (LZ4), and a ZSTD stream
    // (fuzz/seeds/arrow_ipc/).
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/arrow_ipc");
    let columns = |name: &str| {
        let ds = Dataset::from_arrow_ipc(seeds.join(name)).unwrap();
        assert!(ds.n_rows() > 0, "{name}");
        format!("{:?}", ds.columns().collect::<Vec<_>>())
    };
    assert_eq!(columns("mixed-lz4.arrow"), columns("mixed.arrow"));
    assert_eq!(columns("mixed-zstd.arrows"), columns("mixed.arrow"));
}

/// An LZ4 buffer that declares more than LZ4 can expand to: arrow-ipc would allocate the
/// declared length (an abort for a forged one), so it is refused first, naming the batch, in
/// the stream format too (the file format's case is under fuzz/regressions/).
#[test]
fn an_lz4_length_lz4_cannot_reach_is_an_error_naming_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    // 1234 doubles: each batch's buffer declares 9872 bytes uncompressed.
    let values: Vec<f64> = (0..1234).map(f64::from).collect();
    let b = batch(vec![(
        "x",
        Arc::new(Float64Array::from(values)) as ArrayRef,
    )]);
    let mut bytes = ipc(&[&b, &b], Some(CompressionType::LZ4_FRAME), true);
    let stream = dir.path().join("forged.arrows");
    std::fs::write(&stream, &bytes).unwrap();
    assert_eq!(Dataset::from_arrow_ipc(&stream).unwrap().n_rows(), 2468);
    // Forge the declared length in the second batch's body: its last occurrence.
    let declared = 9872i64.to_le_bytes();
    let at = bytes
        .windows(8)
        .rposition(|w| w == declared)
        .expect("the declared length is in the stream");
    bytes[at..at + 8].copy_from_slice(&(1i64 << 40).to_le_bytes());
    std::fs::write(&stream, &bytes).unwrap();
    let err = Dataset::from_arrow_ipc(&stream).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "{}: record batch 1: not a readable Arrow IPC file: buffer ",
            stream.display()
        )) && err.contains("declares 1099511627776 bytes once decompressed, from ")
            && err.ends_with("more than LZ4 can expand (255x): the file is damaged"),
        "{err}"
    );
}

/// A file's reader takes a block as its footer says: a footer that gives the block no
/// metadata length makes arrow-ipc read the buffers from the block's start. A forged LZ4
/// length there is refused as well.
#[test]
fn an_lz4_length_is_checked_where_the_footer_puts_the_body() {
    let dir = tempfile::tempdir().unwrap();
    let column = |k: f64| {
        Arc::new(Float64Array::from_iter_values(
            (0..1234).map(|i| k * f64::from(i).sin()),
        )) as ArrayRef
    };
    let b = batch(vec![("x", column(1.0)), ("y", column(2.0))]);
    let mut bytes = ipc(&[&b], Some(CompressionType::LZ4_FRAME), false);
    // The footer's block for batch 0, and the buffers its message lists.
    let n = bytes.len();
    let footer_len = i32::from_le_bytes(bytes[n - 10..n - 6].try_into().unwrap()) as usize;
    let footer = arrow_ipc::root_as_footer(&bytes[n - 10 - footer_len..n - 10]).unwrap();
    let block = footer.recordBatches().unwrap().get(0);
    let (offset, meta, body) = (block.offset(), block.metaDataLength(), block.bodyLength());
    let at = offset as usize;
    let message = arrow_ipc::root_as_message(&bytes[at + 8..at + meta as usize]).unwrap();
    let buffers: Vec<(i64, i64)> = message
        .header_as_record_batch()
        .unwrap()
        .buffers()
        .unwrap()
        .iter()
        .map(|b| (b.offset(), b.length()))
        .collect();
    // A buffer read from past the metadata once the body starts at the block's start.
    let &(target, _) = buffers
        .iter()
        .rfind(|&&(o, l)| o >= i64::from(meta) && l >= 8)
        .expect("a buffer past the metadata");
    let mut entry = offset.to_le_bytes().to_vec();
    entry.extend(meta.to_le_bytes());
    let found = bytes
        .windows(entry.len())
        .rposition(|w| w == entry)
        .expect("the footer's block");
    bytes[found + 8..found + 12].copy_from_slice(&0i32.to_le_bytes());
    bytes[found + 16..found + 24].copy_from_slice(&(body + i64::from(meta)).to_le_bytes());
    let forged = at + target as usize;
    bytes[forged..forged + 8].copy_from_slice(&(1i64 << 40).to_le_bytes());
    let path = dir.path().join("forged.arrow");
    std::fs::write(&path, &bytes).unwrap();
    // Read from the block's start, an earlier buffer's "length" may be metadata bytes, as
    // impossible as the one forged: either is refused before arrow-ipc allocates it.
    let err = Dataset::from_arrow_ipc(&path).unwrap_err().to_string();
    let refused = format!(
        "{}: record batch 0: not a readable Arrow IPC file: buffer ",
        path.display()
    );
    assert!(
        err.starts_with(&refused) && err.contains("more than LZ4 can expand (255x)"),
        "{err}"
    );
}

#[test]
fn an_owned_f64_vec_becomes_the_column_without_a_copy() {
    let values: Vec<f64> = (0..10_000).map(|i| i as f64 * 0.5).collect();
    let address = values.as_ptr();
    let b = batch(vec![(
        "x",
        Arc::new(Float64Array::from(values)) as ArrayRef,
    )]);
    let ds = Dataset::from_record_batches([b]).unwrap();
    assert_eq!(numeric(&ds, "x").values().as_ptr(), address);
    assert_eq!(numeric(&ds, "x").values()[9_999], 4_999.5);
}

#[test]
fn a_nan_that_is_not_null_stays_a_value() {
    let b = batch(vec![(
        "x",
        Arc::new(Float64Array::from(vec![Some(f64::NAN), None, Some(1.0)])) as ArrayRef,
    )]);
    let ds = Dataset::from_record_batches([b]).unwrap();
    let x = numeric(&ds, "x");
    assert_eq!(x.mask(), Some(&[false, true, false][..]));
    assert!(x.values()[0].is_nan() && !x.is_missing(0));
}

#[test]
fn the_same_data_from_csv_and_parquet_is_the_same_dataset() {
    let csv = Dataset::from_csv(mlharness_fixture("churn.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("churn.parquet");
    write_parquet(&path, &[csv.to_record_batch().unwrap()], 1000);
    let parquet = Dataset::from_parquet(&path).unwrap();
    assert_eq!(parquet.column_names(), csv.column_names());
    for name in csv.column_names() {
        assert_eq!(
            format!("{:?}", parquet.column(name).unwrap()),
            format!("{:?}", csv.column(name).unwrap()),
            "column `{name}`"
        );
    }
}

fn mlharness_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

#[test]
fn declared_kinds_apply_to_typed_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zip.parquet");
    write_parquet(
        &path,
        &[batch(vec![
            (
                "zip",
                Arc::new(Int64Array::from(vec![Some(2134), None, Some(94105)])) as ArrayRef,
            ),
            (
                "plan",
                Arc::new(StringArray::from(vec!["a", "b", "c"])) as ArrayRef,
            ),
        ])],
        10,
    );
    let options = CsvOptions::default()
        .kind("zip", ColumnKind::Categorical)
        .target("plan");
    let ds = Dataset::from_parquet_with(&path, &options).unwrap();
    let zip = ds.categorical("zip").unwrap();
    assert_eq!((zip.get(0), zip.get(1)), (Some("2134"), None));
    assert_eq!(ds.target_name(), Some("plan"));
    let err = Dataset::from_parquet_with(
        &path,
        &CsvOptions::default().kind("plan", ColumnKind::Numeric),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("column `plan`: declared numeric, but the file stores it as Utf8"),
        "{err}"
    );
    let err =
        Dataset::from_parquet_with(&path, &CsvOptions::default().target("churn")).unwrap_err();
    assert!(
        matches!(err, DataError::UnknownDeclaredColumn { ref column, .. } if column == "churn"),
        "{err}"
    );
}

#[test]
fn unsupported_types_and_inexact_integers_are_errors_naming_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    write_parquet(
        &path,
        &[batch(vec![(
            "seen_at",
            Arc::new(TimestampSecondArray::from(vec![1, 2])) as ArrayRef,
        )])],
        10,
    );
    let err = Dataset::from_parquet(&path).unwrap_err();
    assert!(
        matches!(&err, DataError::UnsupportedType { column, .. } if column == "seen_at"),
        "{err}"
    );
    assert!(
        err.to_string().contains("cast it to a string or a number"),
        "{err}"
    );

    let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1)])]);
    let err = Dataset::from_record_batches([batch(vec![("tags", Arc::new(list) as ArrayRef)])])
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("column `tags` has Arrow type List"),
        "{err}"
    );

    let ids = dir.path().join("ids.parquet");
    write_parquet(
        &ids,
        &[
            batch(vec![(
                "id",
                Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef,
            )]),
            batch(vec![(
                "id",
                Arc::new(Int64Array::from(vec![3, (1 << 53) + 1])) as ArrayRef,
            )]),
        ],
        2,
    );
    let err = Dataset::from_parquet(&ids).unwrap_err();
    assert!(
        matches!(&err, DataError::Columnar { place: Place { part: Some(Part::RowGroup(1)), column: Some(c) }, .. } if c == "id"),
        "{err:?}"
    );
    // The same fault in the second of two record batches is named as a batch, not a row group.
    let err = Dataset::from_record_batches([
        batch(vec![(
            "id",
            Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef,
        )]),
        batch(vec![(
            "id",
            Arc::new(Int64Array::from(vec![3, (1 << 53) + 1])) as ArrayRef,
        )]),
    ])
    .unwrap_err();
    assert!(
        err.to_string().contains("record batch 1: column `id`: "),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("9007199254740993 has no exact f64"),
        "{err}"
    );
}

/// `validate` reads a Parquet file 64k rows at a time, row group by row group, and an Arrow
/// IPC file a record batch at a time; its report is the one the data read whole gets: faults in every chunk (a value out of range, a missing
/// value, an unknown level, a repeat of an earlier chunk's id), each row named where it is in
/// the file.
#[test]
fn a_columnar_file_validated_a_chunk_at_a_time_gets_the_report_of_its_data_whole() {
    let dir = tempfile::tempdir().unwrap();
    let rows = 150_000;
    let x: ArrayRef = Arc::new(Float64Array::from(
        (0..rows)
            .map(|i| match i {
                5 | 70_000 => Some(2.0),
                140_000 => None,
                _ => Some((i % 1000) as f64 / 1000.0),
            })
            .collect::<Vec<_>>(),
    ));
    let plan: ArrayRef = Arc::new(StringArray::from(
        (0..rows)
            .map(|i| match i {
                100_000 => Some("c"),
                149_999 => None,
                _ => Some(["a", "b"][i % 2]),
            })
            .collect::<Vec<_>>(),
    ));
    let id: ArrayRef = Arc::new(Int64Array::from(
        (0..rows as i64)
            .map(|i| if i == 130_000 { 10 } else { i })
            .collect::<Vec<_>>(),
    ));
    let data = batch(vec![("x", x), ("plan", plan), ("id", id)]);
    let schema = Schema::from_json(
        r#"{"mlharness_schema": 2, "columns": [
            {"name": "x", "kind": "numeric", "nullable": false, "min": 0.0, "max": 1.0},
            {"name": "plan", "kind": "categorical", "nullable": false,
             "categories": ["a", "b"]},
            {"name": "id", "kind": "numeric", "nullable": false, "unique": true},
            {"name": "absent", "kind": "numeric", "nullable": true}
        ]}"#,
        "schema.json",
    )
    .unwrap();
    // The report of the file, checked to be the one of its data read whole.
    let checked = |path: &Path| {
        let streamed = schema.validate_file(path, None, None).unwrap();
        let whole = schema.validate(&Dataset::from_file(path).unwrap());
        assert_eq!(
            streamed.violations(),
            whole.violations(),
            "{}",
            path.display()
        );
        streamed
    };
    let absent = |report: &mlharness::schema::ValidationReport| {
        report
            .violations()
            .iter()
            .any(|v| v.column.as_deref() == Some("absent"))
    };
    // One row group (the chunks cut it) and row groups of 40,000 (a chunk ends at each).
    for group in [rows, 40_000] {
        let path = dir.path().join(format!("data-{group}.parquet"));
        write_parquet(&path, std::slice::from_ref(&data), group);
        let streamed = checked(&path);
        assert_eq!(streamed.rows(), rows);
        let kinds: Vec<String> = streamed
            .violations()
            .iter()
            .map(|v| {
                format!(
                    "{}: {:?} {:?}",
                    v.column.as_deref().unwrap_or("-"),
                    v.kind,
                    v.rows
                )
            })
            .collect();
        assert_eq!(kinds.len(), 6, "{kinds:#?}");
        assert!(kinds.iter().any(|k| k.contains("[5, 70000]")), "{kinds:#?}");
        assert!(
            kinds
                .iter()
                .any(|k| k.starts_with("id: ") && k.contains("130000")),
            "{kinds:#?}"
        );
    }
    // An Arrow IPC file, file and stream format, is checked a record batch at a time.
    let parts: Vec<RecordBatch> = [0, 50_000, 120_000, rows]
        .windows(2)
        .map(|w| data.slice(w[0], w[1] - w[0]))
        .collect();
    for stream in [false, true] {
        let path = dir.path().join(format!("data-{stream}.arrow"));
        std::fs::write(&path, ipc(&parts.iter().collect::<Vec<_>>(), None, stream)).unwrap();
        assert_eq!(checked(&path).violations().len(), 6);
    }
    // No rows: the file's columns are still checked against the schema.
    let empty = dir.path().join("empty.parquet");
    write_parquet(&empty, &[data.slice(0, 0)], 1000);
    assert!(absent(&checked(&empty)));
    // An IPC stream of no batch at all.
    let empty = dir.path().join("empty.arrows");
    let mut bytes = Vec::new();
    arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &data.schema())
        .unwrap()
        .finish()
        .unwrap();
    std::fs::write(&empty, bytes).unwrap();
    assert!(absent(&checked(&empty)));
}

/// Each column is read through every row group by a task of its own; the error reported is
/// still the one met first row group by row group: the earliest row group's, then the first
/// column's.
#[test]
fn of_several_bad_values_in_a_parquet_file_the_first_in_file_order_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let unexact = (1i64 << 53) + 1;
    let ids = |bad: &[usize]| -> ArrayRef {
        Arc::new(Int64Array::from(
            (0..1500)
                .map(|i| if bad.contains(&i) { unexact } else { i as i64 })
                .collect::<Vec<_>>(),
        ))
    };
    // Rows 0-499 are row group 0, 500-999 row group 1, 1000-1499 row group 2.
    for (name, a_bad, b_bad, expected) in [
        (
            "later-group-first-column",
            &[1200][..],
            &[700][..],
            "row group 1: column `b`: ",
        ),
        (
            "same-group",
            &[600][..],
            &[550][..],
            "row group 1: column `a`: ",
        ),
    ] {
        let path = dir.path().join(format!("{name}.parquet"));
        write_parquet(
            &path,
            &[batch(vec![("a", ids(a_bad)), ("b", ids(b_bad))])],
            500,
        );
        let err = Dataset::from_parquet(&path).unwrap_err().to_string();
        assert!(err.contains(expected), "{name}: {err}");
        // `validate` reads the file in chunks, and meets the same error first.
        let schema = Schema::from_json(
            r#"{"mlharness_schema": 1, "columns": [
                {"name": "a", "kind": "numeric", "nullable": false},
                {"name": "b", "kind": "numeric", "nullable": false}]}"#,
            "schema.json",
        )
        .unwrap();
        let err = schema
            .validate_file(&path, None, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "validate, {name}: {err}");
    }
}

#[test]
fn a_damaged_parquet_file_is_an_error_naming_file_row_group_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.parquet");
    let b = batch(vec![
        (
            "a",
            Arc::new(Float64Array::from(
                (0..1000).map(f64::from).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "b",
            Arc::new(Float64Array::from(
                (0..1000).map(|i| f64::from(i) * 3.0).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ]);
    write_parquet(&path, &[b], 500);
    // Overwrite the middle of row group 1's column `b` pages.
    let file = std::fs::File::open(&path).unwrap();
    let meta = parquet::file::reader::SerializedFileReader::new(file).unwrap();
    use parquet::file::reader::FileReader;
    let chunk = meta.metadata().row_group(1).column(1);
    let (start, len) = chunk.byte_range();
    let mut bytes = std::fs::read(&path).unwrap();
    for b in &mut bytes[start as usize + 8..(start + len) as usize - 8] {
        *b = 0xff;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Dataset::from_parquet(&path).unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("{}: row group 1: column `b`: ", path.display())),
        "{shown}"
    );
    let schema = Schema::infer(&Dataset::from_columns(vec![]).unwrap());
    let shown = schema
        .validate_file(&path, None, None)
        .unwrap_err()
        .to_string();
    assert!(
        shown.starts_with(&format!("{}: row group 1: column `b`: ", path.display())),
        "validate: {shown}"
    );

    // Not Parquet at all: a CSV file under a .parquet name.
    let fake = dir.path().join("fake.parquet");
    std::fs::write(&fake, "a,b\n1,2\n").unwrap();
    let err = Dataset::from_file(&fake).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}: not a readable Parquet file", fake.display())),
        "{err}"
    );
    // A missing file names itself.
    let err = Dataset::from_parquet(dir.path().join("none.parquet")).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }), "{err}");
}

/// Inputs on which Parquet's and Arrow's own decoders panic or abort (found by fuzzing, kept
/// under fuzz/regressions/): an error naming the file, never a panic.
#[test]
fn files_that_break_the_decoders_are_errors_naming_the_file() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    type Reader = fn(&Path) -> Result<Dataset, DataError>;
    let cases: [(&str, Reader, &str); 5] = [
        (
            "regressions/parquet/dictionary-page-missing",
            |p| Dataset::from_parquet(p),
            "row group 0: column `minutes`: the decoder failed on it (Decoder for dict should \
             have been set): the file is malformed or truncated",
        ),
        (
            "regressions/arrow_ipc/buffer-shorter-than-claimed",
            |p| Dataset::from_arrow_ipc(p),
            "record batch 1: the decoder failed on it (the offset of the new Buffer cannot exceed",
        ),
        // A compressed buffer claiming exabytes: arrow-ipc would allocate them.
        (
            "regressions/arrow_ipc/lz4-length-of-exabytes",
            |p| Dataset::from_arrow_ipc(p),
            "record batch 0: not a readable Arrow IPC file: buffer ",
        ),
        // The same, where the footer's block differs from what its message says of itself:
        // the file's reader goes by the footer.
        (
            "regressions/arrow_ipc/lz4-length-in-a-block-the-footer-sizes",
            |p| Dataset::from_arrow_ipc(p),
            "record batch 0: not a readable Arrow IPC file: buffer ",
        ),
        // A 2 KiB file whose footer lists a 12 GB block: arrow-ipc would reserve and zero it.
        (
            "regressions/arrow_ipc/footer-block-of-12-gb",
            |p| Dataset::from_arrow_ipc(p),
            "not a readable Arrow IPC file: its footer places a block at bytes 424..12884902512, \
             past the end of the file (2194 bytes): the file is truncated or damaged",
        ),
    ];
    for (name, read, expected) in cases {
        let path = fuzz.join(name);
        let err = read(&path).expect_err(name);
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("{}: {expected}", path.display())),
            "{name}: {shown}"
        );
    }
}
