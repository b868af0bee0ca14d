//! The malformed-input corpus shared by the malformed-input and memory tests.

#![allow(dead_code)]

pub mod oracle;

/// `(name, bytes, words the message must contain)`.
pub fn csv_cases() -> Vec<(&'static str, Vec<u8>, Vec<&'static str>)> {
    let wide_header: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
    let mut long_line = b"a,b,label\n".to_vec();
    long_line.extend(std::iter::repeat_n(b'9', 50_000_000));
    vec![
        ("empty", b"".to_vec(), vec!["empty"]),
        (
            "header only",
            b"x1,x2,class\n".to_vec(),
            vec!["no data rows"],
        ),
        (
            "header only crlf",
            b"x1,x2,class\r\n\r\n".to_vec(),
            vec!["no data rows"],
        ),
        (
            "ragged short",
            b"a,b,c\n1,2,x\n3,y\n".to_vec(),
            vec!["row 2", "fields"],
        ),
        (
            "ragged long",
            b"a,b,c\n1,2,x\n3,4,5,y\n".to_vec(),
            vec!["row 2", "fields"],
        ),
        (
            "non-numeric",
            b"a,b,c\n1,2,x\n3,oops,y\n1,1,x\n".to_vec(),
            vec!["\"b\"", "oops", "row 2"],
        ),
        (
            "inf text",
            b"a,b,c\n1,2,x\ninf,3,y\n1,1,x\n".to_vec(),
            vec!["\"a\"", "inf"],
        ),
        (
            "infinity text",
            b"a,b,c\n1,2,x\n-Infinity,3,y\n".to_vec(),
            vec!["\"a\"", "Infinity"],
        ),
        (
            "all missing",
            b"a,b,c\nNA,2,x\n3,NaN,y\n".to_vec(),
            vec!["missing"],
        ),
        (
            "one class",
            b"a,b,c\n1,2,x\n3,4,x\n".to_vec(),
            vec!["one class", "\"c\""],
        ),
        ("one row", b"a,b,c\n1,2,x\n".to_vec(), vec!["one class"]),
        (
            "duplicate headers",
            b"a,a,c\n1,2,x\n3,4,y\n".to_vec(),
            vec!["\"a\"", "more than once"],
        ),
        (
            "10 000 columns",
            format!("{}\n", wide_header.join(",")).into_bytes(),
            vec!["10000 columns", "1000"],
        ),
        (
            "10 000 columns with rows",
            {
                let row = vec!["1"; 10_000].join(",");
                format!("{}\n{row}\n{row}\n", wide_header.join(",")).into_bytes()
            },
            vec!["10000 columns", "1000"],
        ),
        ("50 MB single line", long_line, vec!["data row 1", "fields"]),
        (
            "invalid utf-8",
            b"a,b,c\n1,2,\xff\xfe\n3,4,y\n".to_vec(),
            vec!["UTF-8"],
        ),
        (
            "binary garbage",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
            vec![],
        ),
        (
            "nul bytes",
            b"a,b,c\n1,2,x\0\0\n3,4,y\n".to_vec(),
            vec!["NUL byte at byte 11"],
        ),
        ("only target", b"label\nx\ny\n".to_vec(), vec!["no feature"]),
        (
            "100 000 distinct text values",
            distinct_ids(100_000),
            vec!["\"id\"", "more than 10001 distinct"],
        ),
        (
            "two text columns too wide one-hot",
            two_wide_text_columns(6000),
            vec!["\"b\"", "one-hot", "at most 10000"],
        ),
        (
            "one-hot too wide with the numbers",
            distinct_ids(10_001),
            vec!["\"id\"", "10001 columns", "at most 10000"],
        ),
        (
            "one-hot too many values",
            {
                let mut text = String::from("id,y\n");
                for i in 0..10_001 {
                    text.push_str(&format!("id{i},{}\n", ["a", "b"][i % 2]));
                }
                text.into_bytes()
            },
            vec!["10001 rows × 10000 feature columns", "50000000"],
        ),
        (
            "50 MB number in a cell",
            long_number_cell(),
            vec!["\"a\"", "is infinite", "…"],
        ),
        (
            "1 MB text in a numeric column",
            format!("a,b,label\n1,2,x\n{},3,y\n", "w".repeat(1 << 20)).into_bytes(),
            vec!["\"a\"", "is not a number", "…"],
        ),
        (
            "50 kB duplicate column name",
            {
                let name = "n".repeat(50_000);
                format!("{name},{name},label\n1,2,x\n").into_bytes()
            },
            vec!["more than once", "…"],
        ),
        (
            "1 MB header line",
            format!("{},b,label\n1,2,x\n", "n".repeat(1 << 20)).into_bytes(),
            vec!["first line is longer than 131072 bytes"],
        ),
        (
            "UTF-16",
            "a,b,c\n1,2,x\n3,4,y\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect(),
            vec!["NUL byte", "UTF-16"],
        ),
        (
            "zeros after the rows",
            {
                let mut bytes = b"a,b,c\n".to_vec();
                bytes.extend(b"1,2,x\n3,4,y\n".repeat(500));
                bytes.extend(std::iter::repeat_n(0_u8, 1 << 20));
                bytes
            },
            vec!["NUL byte at byte 6006"],
        ),
        // Found by `cargo fuzz run csv` (fuzz/): a quoted class spanning two lines made a
        // message of two lines.
        (
            "fuzz: a class spanning lines",
            b",,\n3,4,\"x\nx".to_vec(),
            vec![r#"the target has one class ("x\nx")"#],
        ),
        // Next to a `cargo fuzz run csv` find ('=' in a text column's name): level "b" of text
        // column "a" one-hot encoded as "a=b", the name of another column, and a model trained
        // on the file could not be saved ("feature listed twice").
        (
            "fuzz: a level named like a column",
            b"a,a=b,y\nx,1,p\nb,2,q\n".to_vec(),
            vec![r#"two features would be named "a=b""#, r#"column "a""#],
        ),
    ]
}

/// `id,x,y`: every id distinct, x numeric, y two classes.
fn distinct_ids(rows: usize) -> Vec<u8> {
    let mut text = String::from("id,x,y\n");
    for i in 0..rows {
        text.push_str(&format!("id{i},{},{}\n", i % 17, ["a", "b"][i % 2]));
    }
    text.into_bytes()
}

/// Two text columns of `levels` distinct values each: fine alone, too wide together.
fn two_wide_text_columns(levels: usize) -> Vec<u8> {
    let mut text = String::from("a,b,y\n");
    for i in 0..levels {
        text.push_str(&format!("p{i},q{i},{}\n", ["a", "b"][i % 2]));
    }
    text.into_bytes()
}

/// The audit's `long2.csv`: a 50 MB number (infinite as an `f64`) in a numeric column.
fn long_number_cell() -> Vec<u8> {
    let mut bytes = b"a,b,label\n1,2,x\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'9', 50_000_000));
    bytes.extend(b",1,y\n");
    bytes
}

pub fn model(layers: &str) -> String {
    format!(
        r#"{{"format":"nnviz-model","version":1,"features":["a","b"],"target":"y","classes":["n","y"],"layers":{layers}}}"#
    )
}

/// `(name, json, words the message must contain)`.
pub fn model_cases() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let ok_hidden = r#"{"activation":"tanh","weights":[[0,1],[2,3],[4,5]]}"#;
    let ok_out = r#"{"activation":"sigmoid","weights":[[1],[2],[3]]}"#;
    vec![
        ("empty", String::new(), vec!["not a valid model"]),
        (
            "truncated",
            model(&format!("[{ok_hidden},{ok_out}]"))[..60].to_string(),
            vec!["not a valid model"],
        ),
        ("not json", "hello".into(), vec!["not a valid model"]),
        ("array", "[1,2,3]".into(), vec!["not a valid model"]),
        (
            "wrong format",
            model(&format!("[{ok_hidden},{ok_out}]")).replace("nnviz-model", "keras"),
            vec!["format"],
        ),
        (
            "future version",
            model(&format!("[{ok_hidden},{ok_out}]")).replace("\"version\":1", "\"version\":7"),
            vec!["version 7"],
        ),
        ("no layers", model("[]"), vec!["no layers"]),
        (
            "unknown activation",
            model(&format!(
                r#"[{{"activation":"swish","weights":[[0,1],[2,3],[4,5]]}},{ok_out}]"#
            )),
            vec!["swish"],
        ),
        (
            "unknown head",
            model(&format!(
                r#"[{ok_hidden},{{"activation":"tanh","weights":[[1],[2],[3]]}}]"#
            )),
            vec!["output activation"],
        ),
        (
            "wrong input rows",
            model(&format!(
                r#"[{{"activation":"tanh","weights":[[0,1],[2,3]]}},{ok_out}]"#
            )),
            vec!["input rows"],
        ),
        (
            "wrong next rows",
            model(&format!(
                r#"[{ok_hidden},{{"activation":"sigmoid","weights":[[1],[2]]}}]"#
            )),
            vec!["layer 2"],
        ),
        (
            "ragged matrix",
            model(&format!(
                r#"[{{"activation":"tanh","weights":[[0,1],[2],[4,5]]}},{ok_out}]"#
            )),
            vec!["row 1"],
        ),
        (
            "classes vs outputs",
            model(&format!(
                r#"[{ok_hidden},{{"activation":"sigmoid","weights":[[1,1],[2,2],[3,3]]}}]"#
            )),
            vec!["output units"],
        ),
        (
            "string weight",
            model(&format!(
                r#"[{{"activation":"tanh","weights":[[0,"x"],[2,3],[4,5]]}},{ok_out}]"#
            )),
            vec!["not a valid model"],
        ),
        (
            "nan weight",
            model(
                r#"[{"activation":"tanh","weights":[[0,1],[2,3],[4,5]]},{"activation":"sigmoid","weights":[[1],[2],[1e999]]}]"#,
            ),
            vec![],
        ),
        (
            "huge layer",
            model(&format!(
                r#"[{{"activation":"tanh","weights":[[{}]]}}]"#,
                vec!["0"; 300].join(",")
            )),
            vec![],
        ),
        (
            "bad scaling",
            model(&format!("[{ok_hidden},{ok_out}]"))
                .replace(r#""layers""#, r#""scaling":{"mean":[0],"sd":[1]},"layers""#),
            vec!["scaling"],
        ),
        (
            "zero sd",
            model(&format!("[{ok_hidden},{ok_out}]")).replace(
                r#""layers""#,
                r#""scaling":{"mean":[0,0],"sd":[1,0]},"layers""#,
            ),
            vec!["positive"],
        ),
        (
            "unknown field",
            model(&format!("[{ok_hidden},{ok_out}]"))
                .replace(r#""layers""#, r#""colour":"red","layers""#),
            vec!["colour"],
        ),
        (
            "layer of 10^12 units",
            // A row that goes on: refused at its 1001st value, whatever its length.
            model(&format!(
                r#"[{{"activation":"tanh","weights":[[{}]]}}]"#,
                vec!["0"; 200_000].join(",")
            )),
            vec!["more than 1000 values"],
        ),
        (
            "10^12 inputs",
            model(&format!(
                r#"[{{"activation":"sigmoid","weights":[{}]}}]"#,
                vec!["[0]"; 200_000].join(",")
            )),
            vec!["more than 10001 rows"],
        ),
        (
            "negative size",
            model(&format!("[{ok_hidden},{ok_out}]")).replace("\"version\":1", "\"version\":-1"),
            vec!["not a valid model"],
        ),
        (
            "one class",
            model(&format!(
                r#"[{ok_hidden},{{"activation":"sigmoid","weights":[[1],[2],[3]]}}]"#
            ))
            .replace(r#""classes":["n","y"]"#, r#""classes":["only"]"#),
            vec!["one class", "only"],
        ),
        (
            "1 MB activation name",
            model(&format!(
                r#"[{{"activation":"{}","weights":[[0,1],[2,3],[4,5]]}},{ok_out}]"#,
                "s".repeat(1 << 20)
            )),
            vec!["unknown activation", "…"],
        ),
        (
            "1 MB unknown field",
            model(&format!("[{ok_hidden},{ok_out}]")).replace(
                r#""layers""#,
                &format!(r#""{}":1,"layers""#, "k".repeat(1 << 20)),
            ),
            vec!["unknown field", "…"],
        ),
        (
            "a class twice",
            model(&format!("[{ok_hidden},{ok_out}]"))
                .replace(r#""classes":["n","y"]"#, r#""classes":["n","n"]"#),
            vec!["class \"n\" is listed twice"],
        ),
        (
            "a feature twice",
            model(&format!("[{ok_hidden},{ok_out}]"))
                .replace(r#""features":["a","b"]"#, r#""features":["a","a"]"#),
            vec!["feature \"a\" is listed twice"],
        ),
        (
            // Next to a `cargo fuzz run model` find: a key of many short words, which the
            // message repeats, pushed the position (line, column) out of it.
            "unknown field of many words",
            model(&format!("[{ok_hidden},{ok_out}]")).replace(
                r#""layers""#,
                &format!(r#""{}":1,"layers""#, "ab ".repeat(400)),
            ),
            vec!["unknown field", "…", "at line 1 column"],
        ),
        (
            "nan scaling",
            model(&format!("[{ok_hidden},{ok_out}]")).replace(
                r#""layers""#,
                r#""scaling":{"mean":[0,null],"sd":[1,1]},"layers""#,
            ),
            vec!["not a valid model"],
        ),
    ]
}
