//! Behaviour of `#[tool]`, `#[resource]`, `#[prompt]` and `#[boltmcp::handlers]`: what
//! a client sees in the lists and gets back from calls, over the in-memory transport.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use boltmcp::prelude::*;
use boltmcp::server::{Extension, PromptDef, ResourceDef, ResourceTemplateDef, ToolDef};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

use support::Client;

mod support {
    //! A raw newline-delimited JSON-RPC client on an in-memory connection.

    use std::time::Duration;

    use boltmcp::server::Server;
    use boltmcp::transport::memory::serve_in_memory;
    use serde_json::{Value, json};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};
    use tokio::io::{ReadHalf, WriteHalf};

    pub(crate) struct Client {
        lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
        writer: WriteHalf<DuplexStream>,
        next_id: u64,
    }

    impl Client {
        /// Serves `server` in memory, without a handshake.
        pub(crate) fn connect(server: Server) -> Client {
            let (stream, _task) = serve_in_memory(server);
            let (reader, writer) = tokio::io::split(stream);
            Client {
                lines: BufReader::new(reader).lines(),
                writer,
                next_id: 1,
            }
        }

        /// Serves `server` in memory and performs the 2025-11-25 handshake.
        pub(crate) async fn start(server: Server) -> Client {
            let mut client = Client::connect(server);
            let init = client
                .call(
                    "initialize",
                    json!({
                        "protocolVersion": "2025-11-25",
                        "capabilities": {},
                        "clientInfo": { "name": "macros-test", "version": "0" },
                    }),
                )
                .await;
            assert!(init.get("result").is_some(), "initialize failed: {init}");
            client
                .send(json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }))
                .await;
            client
        }

        async fn send(&mut self, message: Value) {
            let mut line = message.to_string();
            line.push('\n');
            self.writer.write_all(line.as_bytes()).await.expect("write");
            self.writer.flush().await.expect("flush");
        }

        /// Sends a request and returns the whole response (`result` or `error`).
        pub(crate) async fn call(&mut self, method: &str, params: Value) -> Value {
            let id = self.next_id;
            self.next_id += 1;
            self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
                .await;
            loop {
                let line = tokio::time::timeout(Duration::from_secs(10), self.lines.next_line())
                    .await
                    .expect("the server answered in time")
                    .expect("read")
                    .expect("a response before EOF");
                let message: Value = serde_json::from_str(&line).expect("JSON");
                if message["id"] == json!(id) && message.get("method").is_none() {
                    return message;
                }
            }
        }

        /// A 2026-07-28 request: no handshake, the version and capabilities in `_meta`.
        pub(crate) async fn modern(&mut self, method: &str, mut params: Value) -> Value {
            params["_meta"] = json!({
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": { "name": "macros-test", "version": "0" },
            });
            self.call(method, params).await
        }

        /// The `result` of a request that must succeed.
        pub(crate) async fn result(&mut self, method: &str, params: Value) -> Value {
            let response = self.call(method, params).await;
            match response.get("result") {
                Some(result) => result.clone(),
                None => panic!("{method} failed: {response}"),
            }
        }

        /// The `result` of `tools/call`.
        pub(crate) async fn tool(&mut self, name: &str, arguments: Value) -> Value {
            self.result(
                "tools/call",
                json!({ "name": name, "arguments": arguments }),
            )
            .await
        }

        /// The tool named `name` in `tools/list`.
        pub(crate) async fn listed_tool(&mut self, name: &str) -> Value {
            let list = self.result("tools/list", json!({})).await;
            list["tools"]
                .as_array()
                .expect("tools")
                .iter()
                .find(|t| t["name"] == name)
                .unwrap_or_else(|| panic!("{name} is listed"))
                .clone()
        }
    }
}

// ---- free-function tools ---------------------------------------------------------

/// Adds two numbers.
///
/// a: The first number.
/// - b: The second number.
#[tool]
async fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// Greets someone.
///
/// # Arguments
///
/// * `name` - Who to greet.
/// * `greeting` - The word to use,
///   "Hello" when absent.
#[tool(
    title = "Greeter",
    annotations(read_only, idempotent, open_world = false, title = "Greet")
)]
fn greet(name: String, greeting: Option<String>, #[arg(default = 1)] times: u32) -> String {
    let greeting = greeting.unwrap_or_else(|| "Hello".to_owned());
    vec![format!("{greeting}, {name}!"); times as usize].join(" ")
}

/// Divides `a` by `b`.
#[tool(scopes = ["math:write"], icons = ["https://example.com/divide.png"])]
fn divide(a: f64, b: f64) -> Result<f64, String> {
    if b == 0.0 {
        Err("division by zero".to_owned())
    } else {
        Ok(a / b)
    }
}

#[derive(Serialize, JsonSchema)]
struct Stats {
    count: usize,
    mean: f64,
}

/// Ignored: the attribute's description wins.
#[tool(name = "stats", description = "Count and mean of a list.")]
fn summarize(
    #[arg(description = "The numbers to summarise.")] values: Vec<f64>,
    #[arg(default)] precision: u8,
) -> Stats {
    let count = values.len();
    let mean = values.iter().sum::<f64>() / count.max(1) as f64;
    let scale = 10f64.powi(i32::from(precision.max(1)));
    Stats {
        count,
        mean: (mean * scale).round() / scale,
    }
}

/// Echoes the request id; `ctx` is injected, not an argument.
///
/// shout: Upper-case the answer (sent as `loud`).
#[tool]
async fn whoami(ctx: &Context, #[arg(rename = "loud")] shout: bool) -> String {
    let id = ctx.request_id().to_string();
    if shout { id.to_uppercase() } else { id }
}

#[derive(Clone, Debug)]
struct User(String);

/// Needs a caller recorded by a layer.
#[tool]
fn private(_ctx: Context, user: Option<Extension<User>>) -> String {
    match user {
        Some(Extension(User(name))) => format!("hello {name}"),
        None => "anonymous".to_owned(),
    }
}

/// Requires the extension.
#[tool]
fn strict(Extension(user): Extension<User>) -> String {
    user.0
}

/// Set if `noop` ever runs in this process: it never may.
static NOOP_RAN_IN_PROCESS: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Does nothing, in the sandbox.
#[tool(sandbox)]
fn noop() {
    NOOP_RAN_IN_PROCESS.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Fails with a tool error.
#[tool]
async fn explode(reason: String) -> Result<String, ToolError> {
    Err(ToolError::new(format!("exploded: {reason}")))
}

/// Structured output from a `Result`, with a `Display` error.
///
/// text: The number, surrounding spaces allowed.
///
/// # Errors
///
/// When `text` is not a number.
#[tool]
fn parse_number(text: String) -> Result<i64, std::num::ParseIntError> {
    text.trim().parse()
}

/// Content blocks are sent as they are.
#[tool]
fn blocks() -> Vec<ContentBlock> {
    vec![ContentBlock::text("one"), ContentBlock::text("two")]
}

/// Raw identifiers lose their `r#` on the wire.
#[tool]
fn r#match(r#type: String) -> String {
    r#type
}

/// `Json<T>` is structured content without a declared `outputSchema`.
#[tool]
fn as_json() -> Json<Value> {
    Json(json!({ "ok": true }))
}

/// Panics; the server survives.
#[tool]
fn panics() -> String {
    panic!("this tool always panics")
}

fn tools_server() -> Server {
    Server::builder("t", "1")
        .tool(add_tool())
        .tool(greet_tool())
        .tool(divide_tool())
        .tool(summarize_tool())
        .tool(whoami_tool())
        .tool(private_tool())
        .tool(strict_tool())
        .tool(noop_tool())
        .tool(explode_tool())
        .tool(parse_number_tool())
        .tool(blocks_tool())
        .tool(match_tool())
        .tool(as_json_tool())
        .tool(panics_tool())
        .build()
}

fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().expect("a text block")
}

#[tokio::test]
async fn descriptions_come_from_doc_comments() {
    let mut c = Client::start(tools_server()).await;
    let add = c.listed_tool("add").await;
    assert_eq!(add["description"], "Adds two numbers.");
    let props = &add["inputSchema"]["properties"];
    assert_eq!(props["a"]["description"], "The first number.");
    assert_eq!(props["b"]["description"], "The second number.");
    assert_eq!(add["inputSchema"]["type"], "object");
    assert_eq!(add["inputSchema"]["required"], json!(["a", "b"]));

    let greet = c.listed_tool("greet").await;
    assert_eq!(greet["description"], "Greets someone.");
    let props = &greet["inputSchema"]["properties"];
    assert_eq!(props["name"]["description"], "Who to greet.");
    assert_eq!(
        props["greeting"]["description"],
        "The word to use, \"Hello\" when absent."
    );

    let stats = c.listed_tool("stats").await;
    assert_eq!(stats["description"], "Count and mean of a list.");
    assert_eq!(
        stats["inputSchema"]["properties"]["values"]["description"],
        "The numbers to summarise."
    );
}

#[tokio::test]
async fn optional_and_defaulted_arguments_are_not_required() {
    let mut c = Client::start(tools_server()).await;
    let greet = c.listed_tool("greet").await;
    assert_eq!(greet["inputSchema"]["required"], json!(["name"]));
    assert_eq!(greet["inputSchema"]["properties"]["times"]["default"], 1);

    let out = c.tool("greet", json!({ "name": "Ada" })).await;
    assert_eq!(text(&out), "Hello, Ada!");
    let out = c
        .tool(
            "greet",
            json!({ "name": "Ada", "greeting": "Hi", "times": 2 }),
        )
        .await;
    assert_eq!(text(&out), "Hi, Ada! Hi, Ada!");
    assert!(out.get("structuredContent").is_none());
    assert!(c.listed_tool("greet").await.get("outputSchema").is_none());

    let stats = c.listed_tool("stats").await;
    assert_eq!(stats["inputSchema"]["required"], json!(["values"]));
    assert_eq!(
        stats["inputSchema"]["properties"]["precision"]["default"],
        0
    );
}

#[tokio::test]
async fn scalar_output_is_structured_and_wrapped() {
    let mut c = Client::start(tools_server()).await;
    let add = c.listed_tool("add").await;
    assert_eq!(
        add["outputSchema"],
        json!({
            "type": "object",
            "properties": { "result": { "type": "number", "format": "double" } },
            "required": ["result"],
        })
    );
    let out = c.tool("add", json!({ "a": 2, "b": 3.5 })).await;
    assert_eq!(out["structuredContent"], json!({ "result": 5.5 }));
    assert_eq!(text(&out), r#"{"result":5.5}"#);
    assert!(out.get("isError").is_none());
}

#[tokio::test]
async fn object_output_is_structured_as_is() {
    let mut c = Client::start(tools_server()).await;
    let stats = c.listed_tool("stats").await;
    assert_eq!(stats["outputSchema"]["type"], "object");
    assert!(stats["outputSchema"]["properties"]["count"].is_object());
    let out = c.tool("stats", json!({ "values": [1, 2, 4] })).await;
    assert_eq!(out["structuredContent"], json!({ "count": 3, "mean": 2.3 }));
}

#[tokio::test]
async fn errors_are_results_with_is_error() {
    let mut c = Client::start(tools_server()).await;
    let out = c.tool("divide", json!({ "a": 1, "b": 0 })).await;
    assert_eq!(out["isError"], true);
    assert_eq!(text(&out), "division by zero");
    let out = c.tool("divide", json!({ "a": 1, "b": 4 })).await;
    assert_eq!(out["structuredContent"], json!({ "result": 0.25 }));

    let out = c.tool("explode", json!({ "reason": "boom" })).await;
    assert_eq!(out["isError"], true);
    assert_eq!(text(&out), "exploded: boom");

    let out = c.tool("parse_number", json!({ "text": "x" })).await;
    assert_eq!(out["isError"], true);
    assert_eq!(text(&out), "invalid digit found in string");
    let out = c.tool("parse_number", json!({ "text": " 42 " })).await;
    assert_eq!(out["structuredContent"], json!({ "result": 42 }));
}

#[tokio::test]
async fn invalid_arguments_are_results_with_is_error() {
    let mut c = Client::start(tools_server()).await;
    // The message names the argument and what was expected, in the schema's words,
    // with no position into a JSON text the model never saw. `add` is async and
    // `divide` sync: both paths explain the same way.
    for tool in ["add", "divide"] {
        for (args, expected) in [
            (
                json!({ "a": "one", "b": 2 }),
                r#"Invalid arguments: argument "a": expected a number, got "one""#,
            ),
            (
                json!({ "a": 1 }),
                r#"Invalid arguments: missing required argument "b" (a number)"#,
            ),
            (
                json!([1, 2, 3, 4]),
                "Invalid arguments: the arguments must be a JSON object, got an array",
            ),
        ] {
            let out = c.tool(tool, args.clone()).await;
            assert_eq!(out["isError"], true, "{tool} {args}: {out}");
            assert_eq!(text(&out), expected, "{tool} {args}");
        }
    }
    let out = c.tool("stats", json!({ "values": [1, "two"] })).await;
    assert_eq!(
        text(&out),
        r#"Invalid arguments: argument "values[1]": expected a number, got "two""#
    );
    let out = c
        .tool("stats", json!({ "values": [1], "precision": 300 }))
        .await;
    assert_eq!(
        text(&out),
        r#"Invalid arguments: argument "precision": expected at most 255, got 300"#
    );
    let response = c
        .call(
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    assert!(response.get("error").is_none());
}

#[tokio::test]
async fn injected_parameters_are_not_in_the_schema() {
    let mut c = Client::start(tools_server()).await;
    let whoami = c.listed_tool("whoami").await;
    assert_eq!(
        whoami["inputSchema"]["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .collect::<Vec<_>>(),
        ["loud"]
    );
    assert_eq!(
        whoami["inputSchema"]["properties"]["loud"]["description"],
        "Upper-case the answer (sent as `loud`)."
    );
    let private = c.listed_tool("private").await;
    assert_eq!(private["inputSchema"]["properties"], json!({}));

    let response = c
        .call(
            "tools/call",
            json!({ "name": "whoami", "arguments": { "loud": false } }),
        )
        .await;
    let id = response["id"].to_string();
    assert_eq!(text(&response["result"]), id);

    let out = c.tool("private", json!({})).await;
    assert_eq!(text(&out), "anonymous");
    let out = c.tool("strict", json!({})).await;
    assert_eq!(out["isError"], true);
    assert!(text(&out).contains("missing request extension"), "{out}");
}

#[tokio::test]
async fn metadata_is_visible() {
    let mut c = Client::start(tools_server()).await;
    let greet = c.listed_tool("greet").await;
    assert_eq!(greet["title"], "Greeter");
    assert_eq!(
        greet["annotations"],
        json!({ "title": "Greet", "readOnlyHint": true, "idempotentHint": true,
                "openWorldHint": false })
    );
    let divide = c.listed_tool("divide").await;
    assert_eq!(
        divide["icons"],
        json!([{ "src": "https://example.com/divide.png", "mimeType": "image/png" }])
    );
    assert!(divide.get("annotations").is_none());
    assert_eq!(divide_tool().meta().scopes, ["math:write"]);
    assert!(!divide_tool().meta().sandbox);
    assert!(noop_tool().meta().sandbox);
    assert!(add_tool().meta().scopes.is_empty());

    // A sandboxed tool on a server without a sandbox is refused, never run here.
    let out = c.tool("noop", json!({})).await;
    assert_eq!(out["isError"], true, "{out}");
    let text = out["content"][0]["text"].as_str().unwrap_or_default();
    assert!(text.contains("runs only in a sandbox"), "{text}");
    assert!(!NOOP_RAN_IN_PROCESS.load(std::sync::atomic::Ordering::SeqCst));
    let out = c.tool("blocks", json!({})).await;
    assert_eq!(out["content"][1]["text"], "two");
}

#[tokio::test]
async fn doc_sections_that_are_not_about_arguments_stay() {
    let mut c = Client::start(tools_server()).await;
    let parse = c.listed_tool("parse_number").await;
    assert_eq!(
        parse["description"],
        "Structured output from a `Result`, with a `Display` error.\n\n# Errors\n\n\
         When `text` is not a number."
    );
    assert_eq!(
        parse["inputSchema"]["properties"]["text"]["description"],
        "The number, surrounding spaces allowed."
    );
}

#[tokio::test]
async fn raw_identifiers_json_output_and_panics() {
    let mut c = Client::start(tools_server()).await;
    let listed = c.listed_tool("match").await;
    assert_eq!(listed["inputSchema"]["required"], json!(["type"]));
    let out = c.tool("match", json!({ "type": "t" })).await;
    assert_eq!(text(&out), "t");

    assert!(c.listed_tool("as_json").await.get("outputSchema").is_none());
    let out = c.tool("as_json", json!({})).await;
    assert_eq!(out["structuredContent"], json!({ "ok": true }));

    let out = c.tool("panics", json!({})).await;
    assert_eq!(out["isError"], true, "{out}");
    let out = c.tool("add", json!({ "a": 1, "b": 1 })).await;
    assert_eq!(out["structuredContent"], json!({ "result": 2.0 }));
}

#[tokio::test]
async fn macros_serve_the_stateless_era_too() {
    let mut c = Client::connect(tools_server());
    let list = c.modern("tools/list", json!({})).await;
    let tools = list["result"]["tools"].as_array().expect("tools");
    assert!(tools.iter().any(|t| t["name"] == "add"), "{list}");
    let out = c
        .modern(
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    assert_eq!(out["result"]["structuredContent"], json!({ "result": 3.0 }));
    let out = c
        .modern(
            "tools/call",
            json!({ "name": "divide", "arguments": { "a": 1, "b": 0 } }),
        )
        .await;
    assert_eq!(out["result"]["isError"], true);
}

#[test]
fn definitions_are_built_once_per_process() {
    let (first, second) = (add_tool(), add_tool());
    assert!(Arc::ptr_eq(
        &first.tool().input_schema,
        &second.tool().input_schema
    ));
    let (first, second) = (greet_prompt_prompt(), greet_prompt_prompt());
    assert!(std::ptr::eq(first.prompt(), second.prompt()));
    let def: ToolDef = summarize_tool();
    assert_eq!(def.name(), "stats");
}

// ---- resources and prompts -------------------------------------------------------

/// The application's configuration.
#[resource("config://app", name = "config", mime_type = "application/json")]
fn app_config() -> Json<Value> {
    Json(json!({ "debug": true }))
}

/// A user's profile.
#[resource("users://{id}/profile", title = "Profile")]
async fn profile(id: u64, ctx: &Context) -> String {
    let _ = ctx.request_id();
    format!("user #{id}")
}

/// A file under the root.
#[resource("files:///{+path}")]
fn file(path: String) -> Result<String, String> {
    if path.contains("..") {
        Err("no escaping the root".to_owned())
    } else {
        Ok(format!("contents of {path}"))
    }
}

/// Greets in a language.
///
/// name: Who to greet.
/// language: The language, English when absent.
#[prompt(title = "Greeting")]
fn greet_prompt(name: String, language: Option<String>) -> String {
    format!(
        "Greet {name} in {}.",
        language.as_deref().unwrap_or("English")
    )
}

/// Reviews code.
#[prompt(name = "review")]
async fn review_prompt(ctx: Context, code: String) -> Result<String, ToolError> {
    let _ = ctx.request_id();
    Ok(format!("Review:\n{code}"))
}

fn content_server() -> Server {
    let config: ResourceDef = app_config_resource();
    let profile: ResourceTemplateDef = profile_resource();
    let prompt: PromptDef = greet_prompt_prompt();
    Server::builder("t", "1")
        .resource(config)
        .resource(profile)
        .resource(file_resource())
        .prompt(prompt)
        .prompt(review_prompt_prompt())
        .build()
}

#[tokio::test]
async fn static_resources_are_listed_and_read() {
    let mut c = Client::start(content_server()).await;
    let list = c.result("resources/list", json!({})).await;
    assert_eq!(
        list["resources"],
        json!([{ "uri": "config://app", "name": "config",
                 "description": "The application's configuration.",
                 "mimeType": "application/json" }])
    );
    let read = c
        .result("resources/read", json!({ "uri": "config://app" }))
        .await;
    assert_eq!(read["contents"][0]["text"], r#"{"debug":true}"#);
    assert_eq!(read["contents"][0]["uri"], "config://app");
}

#[tokio::test]
async fn templates_extract_their_variables() {
    let mut c = Client::start(content_server()).await;
    let list = c.result("resources/templates/list", json!({})).await;
    let templates = list["resourceTemplates"].as_array().expect("templates");
    assert_eq!(templates.len(), 2);
    assert_eq!(templates[0]["uriTemplate"], "users://{id}/profile");
    assert_eq!(templates[0]["title"], "Profile");
    assert_eq!(templates[0]["description"], "A user's profile.");

    let read = c
        .result("resources/read", json!({ "uri": "users://42/profile" }))
        .await;
    assert_eq!(read["contents"][0]["text"], "user #42");
    assert_eq!(read["contents"][0]["mimeType"], "text/plain");

    let bad = c
        .call("resources/read", json!({ "uri": "users://abc/profile" }))
        .await;
    let message = bad["error"]["message"].as_str().expect("an error");
    assert!(
        message.contains("`abc` is not a valid value for `id`"),
        "{bad}"
    );

    let read = c
        .result("resources/read", json!({ "uri": "files:///a/b%20c.txt" }))
        .await;
    assert_eq!(read["contents"][0]["text"], "contents of a/b c.txt");
    let bad = c
        .call("resources/read", json!({ "uri": "files:///../etc" }))
        .await;
    assert!(
        bad["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no escaping the root"))
    );
}

#[tokio::test]
async fn prompts_have_required_and_optional_arguments() {
    let mut c = Client::start(content_server()).await;
    let list = c.result("prompts/list", json!({})).await;
    let greet = list["prompts"]
        .as_array()
        .expect("prompts")
        .iter()
        .find(|p| p["name"] == "greet_prompt")
        .expect("greet_prompt")
        .clone();
    assert_eq!(greet["title"], "Greeting");
    assert_eq!(greet["description"], "Greets in a language.");
    assert_eq!(
        greet["arguments"],
        json!([
            { "name": "name", "description": "Who to greet.", "required": true },
            { "name": "language", "description": "The language, English when absent.",
              "required": false },
        ])
    );

    let got = c
        .result(
            "prompts/get",
            json!({ "name": "greet_prompt", "arguments": { "name": "Ada" } }),
        )
        .await;
    assert_eq!(got["messages"][0]["role"], "user");
    assert_eq!(
        got["messages"][0]["content"]["text"],
        "Greet Ada in English."
    );
    let got = c
        .result(
            "prompts/get",
            json!({ "name": "greet_prompt",
                    "arguments": { "name": "Ada", "language": "French" } }),
        )
        .await;
    assert_eq!(
        got["messages"][0]["content"]["text"],
        "Greet Ada in French."
    );

    let missing = c
        .call("prompts/get", json!({ "name": "review", "arguments": {} }))
        .await;
    assert_eq!(missing["error"]["code"], -32602, "{missing}");
    let got = c
        .result(
            "prompts/get",
            json!({ "name": "review", "arguments": { "code": "fn f() {}" } }),
        )
        .await;
    assert_eq!(got["messages"][0]["content"]["text"], "Review:\nfn f() {}");
}

// ---- #[handlers] ----------------------------------------------------------------

/// A stateful server: one counter shared by every call.
struct Counter {
    label: String,
    count: AtomicU64,
}

#[boltmcp::handlers]
impl Counter {
    /// Adds to the counter and returns the new total.
    ///
    /// by: How much to add.
    #[tool]
    fn increment(&self, #[arg(default = 1)] by: u64) -> u64 {
        self.count.fetch_add(by, Ordering::SeqCst) + by
    }

    /// The current total, as text.
    #[tool(annotations(read_only))]
    async fn current(&self, ctx: &Context) -> String {
        let _ = ctx.request_id();
        format!("{} = {}", self.label, self.count.load(Ordering::SeqCst))
    }

    /// A tool that needs no instance.
    #[boltmcp::tool(name = "version")]
    fn version() -> &'static str {
        "1.0"
    }

    /// The counter's label.
    #[resource("counter://label")]
    fn label(&self) -> String {
        self.label.clone()
    }

    /// The total plus an offset.
    #[resource("counter://plus/{offset}")]
    async fn plus(&self, offset: u64) -> String {
        (self.count.load(Ordering::SeqCst) + offset).to_string()
    }

    /// Describes the counter.
    ///
    /// style: `short` or `long`.
    #[prompt]
    fn describe(&self, style: Option<String>) -> String {
        match style.as_deref() {
            Some("long") => format!("The counter {} counts things.", self.label),
            _ => self.label.clone(),
        }
    }

    /// Not a handler: stays an ordinary method.
    fn reset(&self) {
        self.count.store(0, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn handlers_share_one_instance() {
    let counter = Arc::new(Counter {
        label: "clicks".to_owned(),
        count: AtomicU64::new(0),
    });
    let server = Server::builder("t", "1")
        .handlers(counter.clone())
        .tool(add_tool())
        .build();
    let mut c = Client::start(server).await;

    let increment = c.listed_tool("increment").await;
    assert_eq!(
        increment["description"],
        "Adds to the counter and returns the new total."
    );
    assert_eq!(
        increment["inputSchema"]["properties"]["by"]["description"],
        "How much to add."
    );
    assert!(increment["inputSchema"].get("required").is_none());
    assert_eq!(
        c.listed_tool("current").await["annotations"]["readOnlyHint"],
        true
    );
    assert_eq!(text(&c.tool("version", json!({})).await), "1.0");

    let out = c.tool("increment", json!({})).await;
    assert_eq!(out["structuredContent"], json!({ "result": 1 }));
    let out = c.tool("increment", json!({ "by": 5 })).await;
    assert_eq!(out["structuredContent"], json!({ "result": 6 }));
    assert_eq!(text(&c.tool("current", json!({})).await), "clicks = 6");
    assert_eq!(counter.count.load(Ordering::SeqCst), 6);

    let read = c
        .result("resources/read", json!({ "uri": "counter://plus/4" }))
        .await;
    assert_eq!(read["contents"][0]["text"], "10");
    let read = c
        .result("resources/read", json!({ "uri": "counter://label" }))
        .await;
    assert_eq!(read["contents"][0]["text"], "clicks");
    let got = c
        .result(
            "prompts/get",
            json!({ "name": "describe", "arguments": { "style": "long" } }),
        )
        .await;
    assert_eq!(
        got["messages"][0]["content"]["text"],
        "The counter clicks counts things."
    );

    counter.reset();
    assert_eq!(text(&c.tool("current", json!({})).await), "clicks = 0");
}

#[test]
fn handler_schemas_are_shared_between_instances() {
    use boltmcp::server::Handlers;
    let a = Arc::new(Counter {
        label: "a".to_owned(),
        count: AtomicU64::new(0),
    });
    let b = Arc::new(Counter {
        label: "b".to_owned(),
        count: AtomicU64::new(0),
    });
    let (ta, tb) = (a.tools(), b.tools());
    assert_eq!(ta.len(), 3);
    assert!(Arc::ptr_eq(
        &ta[0].tool().input_schema,
        &tb[0].tool().input_schema
    ));
    assert_eq!(a.resources().len(), 1);
    assert_eq!(a.resource_templates().len(), 1);
    assert_eq!(a.prompts().len(), 1);
}
