//! The malformed-input corpus shared by the malformed-input and memory tests.

#![allow(dead_code)]

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
        ("nul bytes", b"a,b,c\n1,2,x\0\0\n3,4,y\n".to_vec(), vec![]),
        ("only target", b"label\nx\ny\n".to_vec(), vec!["no feature"]),
    ]
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
    ]
}
