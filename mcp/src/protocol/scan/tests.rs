//! The scanner against `serde_json`: the same verdict on every document.

use super::*;

fn serde_accepts(text: &str) -> bool {
    serde_json::from_str::<&serde_json::value::RawValue>(text).is_ok()
}

const CORPUS: &[&str] = &[
    r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"#,
    r#" { "a" : [ 1 , -2.5e+3 , true , false , null , "x\"y\\z\u00e9\n" , { } , [ ] ] } "#,
    r#"{"k":"\ud83d\ude00","n":-0,"m":0.5,"e":1E9,"f":2e-1}"#,
    "{\"a\":1}\n",
    r#"[1,2,3]"#,
    r#""str""#,
    "42",
    "-0.0e0",
    "true",
    "null",
    "{}",
    "[]",
    "[[[[]]]]",
    "",
    " ",
    "{",
    "}",
    "{\"a\"}",
    "{\"a\":}",
    "{\"a\":1,}",
    "{,}",
    "[1,]",
    "[,1]",
    "{\"a\":1 \"b\":2}",
    "01",
    "-",
    "1.",
    ".5",
    "1e",
    "1e+",
    "+1",
    "0x10",
    "1.5e3.2",
    "tru",
    "nul",
    "falsey",
    "\"unterminated",
    "\"bad \\x escape\"",
    "\"ctrl \u{1} char\"",
    "\"\\u12g4\"",
    "\"\\u12\"",
    "{\"a\":1}}",
    "{\"a\":1} x",
    "[1 2]",
    "{\"a\" 1}",
    "{1:2}",
    "\u{feff}{}",
    "{\"a\":[}",
    "{\"a\":{\"b\":[1,{\"c\":\"d\"}]}}",
    "{\"a\":\"\u{e9}\u{1f600}\"}",
    "\"\\/\"",
    "1 2",
];

#[test]
fn agrees_with_serde_json_on_the_corpus() {
    for text in CORPUS {
        assert_eq!(validate(text).is_ok(), serde_accepts(text), "{text:?}");
    }
}

#[test]
fn agrees_with_serde_json_on_mutations() {
    // Deterministic mutations of valid documents: every single-byte deletion,
    // and replacing each byte by each of a set of structural characters.
    let seeds = [CORPUS[0], CORPUS[1], CORPUS[2]];
    let swaps = [
        b'{', b'}', b'[', b']', b'"', b',', b':', b'\\', b'-', b'1', b'e', b'.', b' ', b'n',
    ];
    for seed in seeds {
        let bytes = seed.as_bytes();
        for i in 0..bytes.len() {
            let mut deleted = bytes.to_vec();
            deleted.remove(i);
            let mut variants = vec![deleted];
            for &b in &swaps {
                let mut swapped = bytes.to_vec();
                swapped[i] = b;
                variants.push(swapped);
            }
            for variant in variants {
                let Ok(text) = std::str::from_utf8(&variant) else {
                    continue;
                };
                assert_eq!(validate(text).is_ok(), serde_accepts(text), "{text:?}");
                if let Ok(scanned) = scan_message(text) {
                    assert!(serde_accepts(text), "{text:?}");
                    for (_, value) in scanned
                        .members
                        .iter()
                        .chain(scanned.params.iter().flatten())
                    {
                        assert!(serde_accepts(value), "member {value:?} of {text:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn finds_members_and_params_members() {
    let text = r#"{"jsonrpc":"2.0","id":"x","method":"m","params":{"name":"n\"q","arguments":{"a":[1]}},"extra":null}"#;
    let scanned = scan_message(text).expect("valid");
    let keys: Vec<&str> = scanned.members.iter().map(|(k, _)| k.as_ref()).collect();
    assert_eq!(keys, ["jsonrpc", "id", "method", "params", "extra"]);
    let params = scanned.params.expect("params split");
    assert_eq!(params[0].1, r#""n\"q""#);
    assert_eq!(decode_str(params[0].1).as_deref(), Some("n\"q"));
    assert_eq!(params[1].1, r#"{"a":[1]}"#);
    assert_eq!(scan_message("[1]").err(), Some(Ok(Shape::Array)));
    assert!(matches!(scan_message("{oops"), Err(Err(_))));
    assert!(scan_message("{\"a\":1} x").is_err());
}

#[test]
fn deep_nesting_is_refused_without_recursion() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(validate(&deep).is_err());
    let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(validate(&ok).is_ok());
}

/// Random documents over an alphabet of JSON's structural characters, literals'
/// letters, escapes, digits, a control character and non-ASCII: the scanner and
/// serde_json must give the same verdict on every one (a fixed seed keeps it repeatable).
#[test]
fn agrees_with_serde_json_on_random_documents() {
    const ALPHABET: &[&str] = &[
        "{", "}", "[", "]", "\"", ",", ":", "\\", " ", "-", "0", "1", "9", ".", "e", "E", "+", "t",
        "r", "u", "f", "a", "l", "s", "n", "x", "\u{1}", "é", "\\u00e9", "\\n", "true", "null",
        "\"k\":", "{\"a\":", "[1,", "\"s\"",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut accepted = 0;
    for _ in 0..50_000 {
        let len = (next() % 16) as usize;
        let text: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        let ours = validate(&text).is_ok();
        assert_eq!(ours, serde_accepts(&text), "{text:?}");
        accepted += usize::from(ours);
        if let Ok(scanned) = scan_message(&text) {
            for (_, value) in scanned
                .members
                .iter()
                .chain(scanned.params.iter().flatten())
            {
                assert!(serde_accepts(value), "member {value:?} of {text:?}");
            }
        }
    }
    assert!(
        accepted > 100,
        "the generator produced valid documents too ({accepted})"
    );
}
